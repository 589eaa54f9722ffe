// The longest password accepted, in UTF-8 bytes: generous for any passphrase (NIST SP 800-63B asks
// for at least 64 characters), and a bound on the work one login can ask of a hashing thread. One
// constant for the login body, its schema and error message, and the policy for new passwords.
export const MAX_PASSWORD_BYTES = 1024;
