// The Maildir the listeners write into, read back (the mail tests'
// helpers): a message's files by its id, parsed with Python's email
// package (parse.py).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { ROOT, VAR } from '../e2e/lib.mjs';

export const MAIL_DIR = process.env.MAIL_DIR || `${VAR}/mail`;
export const PY = '/usr/bin/python3'; // Debian's, where python3-aiosmtpd is

export const parse = (path) => JSON.parse(execFileSync(PY, [`${ROOT}tests/mail/parse.py`, path], { encoding: 'utf8' }));
// The Maildir's files for message id (new/ and cur/).
export const filesOf = (id) =>
  ['new', 'cur'].flatMap((d) => readdirSync(`${MAIL_DIR}/${d}`).filter((f) => f.startsWith(`mail-${id}@`))
    .map((f) => `${MAIL_DIR}/${d}/${f}`));
// Message id, parsed: asserts it is in exactly one file and well formed.
export function mailOf(id) {
  const files = filesOf(id);
  assert.equal(files.length, 1, `exactly one file for message ${id}: ${files}`);
  const m = parse(files[0]);
  assert.deepEqual(m.defects, [], 'a well-formed message');
  return m;
}
export const textOf = (m) => m.parts.find((p) => p.type === 'text/plain').text;
