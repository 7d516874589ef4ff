-- staff: staff accounts (make staff-add, ...) and their roles, admin or door.
--
-- Re-applied by db/migrate.sh on every run (see db/README.md).

-- The app's one question, asked on every request with a staff account's
-- credentials (so a disable or a new password counts from the very next
-- request): the account's role, its password hash and whether it is
-- disabled; no row for a name that has no account. The app verifies the
-- password against the hash itself (libcrypt), once per worker and
-- credentials.
CREATE OR REPLACE FUNCTION staff.account_of(p_name text)
RETURNS TABLE (role text, password_hash text, disabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT a.role, a.password_hash, a.disabled_at IS NOT NULL
    FROM staff.account a WHERE a.name = p_name;
$$;
GRANT EXECUTE ON FUNCTION staff.account_of(text) TO museum_app;

-- What scripts/staff.sh runs as the schema owner (make staff-add,
-- staff-passwd, staff-disable, staff-list); museum_app may run none of
-- them. Errors are SQLSTATE SKnnn with a message for a person.

-- A new account. SK409 if the name is taken (a disabled account's too);
-- SK422 for a bad name or role (the name admin is the bootstrap account's).
CREATE OR REPLACE FUNCTION staff.add(p_name text, p_role text, p_hash text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_name IS NULL OR p_name !~ '^[a-z0-9._-]{1,64}$' THEN
        RAISE EXCEPTION 'a user name is 1 to 64 characters of a-z, 0-9, ".", "_" and "-"'
            USING ERRCODE = 'SK422';
    ELSIF p_name = 'admin' THEN
        RAISE EXCEPTION 'the user name admin is the bootstrap account''s (ADMIN_PASSWORD)'
            USING ERRCODE = 'SK422';
    ELSIF p_role IS NULL OR p_role NOT IN ('admin', 'door') THEN
        RAISE EXCEPTION 'a role is admin or door' USING ERRCODE = 'SK422';
    END IF;
    INSERT INTO staff.account (name, role, password_hash) VALUES (p_name, p_role, p_hash);
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'there is already an account %', p_name USING ERRCODE = 'SK409';
END
$$;

-- A new password hash for account p_name (disabled or not; it stays as it
-- was). SK404 if there is no such account.
CREATE OR REPLACE FUNCTION staff.set_password(p_name text, p_hash text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE staff.account a SET password_hash = p_hash, changed_at = now() WHERE a.name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no account %', p_name USING ERRCODE = 'SK404';
    END IF;
END
$$;

-- Disables account p_name from its next request on (again: nothing
-- changes). SK404 if there is no such account.
CREATE OR REPLACE FUNCTION staff.disable(p_name text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE staff.account a SET disabled_at = coalesce(a.disabled_at, now()), changed_at = now()
    WHERE a.name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no account %', p_name USING ERRCODE = 'SK404';
    END IF;
END
$$;

-- make staff-list: every account, by name (no hash).
CREATE OR REPLACE VIEW staff.accounts AS
SELECT name, role, created_at AS created, disabled_at AS disabled
FROM staff.account ORDER BY name;
