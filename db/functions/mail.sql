-- mail: the messages the listener sends (tickets, cancels, sign-in links),
-- each recorded as sent in the same transaction that claims it.
--
-- Re-applied by db/migrate.sh on every run (see db/README.md).

-- p_token sealed with the server key p_key (TICKET_SEAL_KEY: the app and
-- the listener have it, the database does not), with pgcrypto's OpenPGP
-- symmetric encryption (AES-256; the key is random, so no key stretching);
-- NULL if either is NULL. mail.unseal opens it (an error if the key is
-- not the one it was sealed with).
CREATE OR REPLACE FUNCTION mail.seal(p_token text, p_key text) RETURNS bytea
LANGUAGE sql VOLATILE STRICT AS $$
    SELECT crypto.pgp_sym_encrypt(p_token, p_key, 'cipher-algo=aes256, s2k-mode=1');
$$;

CREATE OR REPLACE FUNCTION mail.unseal(p_sealed bytea, p_key text) RETURNS text
LANGUAGE sql STABLE STRICT AS $$
    SELECT crypto.pgp_sym_decrypt(p_sealed, p_key);
$$;
