import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError, type Config } from './config.js';

// HTTPS straight from the server (PACERPRO_TLS_CERT + PACERPRO_TLS_KEY, PEM files): the PacerPro
// clients default to https. Both files are read and checked at start-up, so a wrong path, a file
// that is not PEM, or a key of another certificate stops the server with a message naming the
// setting — never a failed handshake later.

export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

async function readSetting(env: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ConfigError(`${env}=${JSON.stringify(path)} cannot be read: ${(error as Error).message}.`);
  }
}

/** The certificate and key to serve HTTPS with, or undefined for plain HTTP. */
export async function readTlsFiles(config: Pick<Config, 'tlsCertPath' | 'tlsKeyPath'>): Promise<TlsFiles | undefined> {
  const { tlsCertPath, tlsKeyPath } = config;
  if (tlsCertPath === undefined || tlsKeyPath === undefined) return undefined;
  const cert = await readSetting('PACERPRO_TLS_CERT', tlsCertPath);
  const key = await readSetting('PACERPRO_TLS_KEY', tlsKeyPath);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new ConfigError(
      `PACERPRO_TLS_CERT=${JSON.stringify(tlsCertPath)} is not valid: expected a PEM certificate (-----BEGIN CERTIFICATE-----).`,
    );
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new ConfigError(
      `PACERPRO_TLS_KEY=${JSON.stringify(tlsKeyPath)} is not valid: expected an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----).`,
    );
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConfigError(
      `PACERPRO_TLS_KEY=${JSON.stringify(tlsKeyPath)} is not the private key of the certificate in PACERPRO_TLS_CERT=${JSON.stringify(tlsCertPath)}.`,
    );
  }
  return { cert, key };
}
