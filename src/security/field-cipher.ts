/**
 * Encryption at rest for sensitive columns (message text, conversation answers, outgoing message bodies):
 * AES-256-GCM with a random 96-bit nonce per value. Stored form: "v1:" + base64(nonce | tag | ciphertext).
 */
import { createCipheriv, createDecipheriv, randomFillSync } from "node:crypto";
import { SpeanError } from "../base/errors.ts";

const PREFIX = "v1:";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Nonces are cut from one block of random bytes filled at a time: one call per this many values, not one each. */
const NONCES_PER_FILL = 1024;

/**
 * A source of fresh 96-bit nonces. Asking the system for 12 random bytes per value cost about 20 µs each, a fifth of
 * an update's encryption work (bench/README.md); the bytes come from the same CSPRNG, and each is handed out once.
 */
function createNonceSource(): () => Buffer {
  const block = Buffer.alloc(NONCE_BYTES * NONCES_PER_FILL);
  let next = block.length;
  return () => {
    if (next === block.length) {
      randomFillSync(block);
      next = 0;
    }
    const nonce = Buffer.from(block.subarray(next, next + NONCE_BYTES)); // a copy: the block is refilled later
    next += NONCE_BYTES;
    return nonce;
  };
}

export interface FieldCipher {
  encrypt(plain: string): string;
  /**
   * Decrypts with the key, or else with the previous key during a rotation.
   * @throws {SpeanError} SPEAN_CRYPTO_FAILED when neither key opens it or the value was altered.
   */
  decrypt(stored: string): string;
  /** The value encrypted under the current key when it was under the previous one; undefined otherwise. */
  reencrypt(stored: string): string | undefined;
}

/**
 * Creates a cipher bound to one 32-byte key and, while keys are being rotated (ENCRYPTION_KEY_PREVIOUS), the key
 * values may still be encrypted with.
 */
export function createFieldCipher(key: Buffer, previous?: Buffer): FieldCipher {
  for (const k of [key, previous]) {
    if (k && k.length !== 32) throw new SpeanError("SPEAN_CONFIG_INVALID", "the encryption key must be 32 bytes");
  }
  const nextNonce = createNonceSource();
  const encrypt = (plain: string) => {
    const nonce = nextNonce();
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return PREFIX + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString("base64");
  };
  return {
    encrypt,
    decrypt(stored) {
      const opened = open(key, stored) ?? (previous ? open(previous, stored) : undefined);
      if (opened === undefined) throw new SpeanError("SPEAN_CRYPTO_FAILED");
      return opened;
    },
    reencrypt(stored) {
      if (!previous || open(key, stored) !== undefined) return undefined;
      const plain = open(previous, stored);
      return plain === undefined ? undefined : encrypt(plain);
    },
  };
}

/** The plain text of `stored` under `key`, or undefined when this key does not open it (or it was altered). */
function open(key: Buffer, stored: string): string | undefined {
  if (!stored.startsWith(PREFIX)) return undefined;
  const raw = Buffer.from(stored.slice(PREFIX.length), "base64");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
