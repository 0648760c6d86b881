/**
 * Encryption at rest for sensitive columns (message text, conversation answers, outgoing message bodies):
 * AES-256-GCM with a random 96-bit nonce per value. Stored form: "v1:" + base64(nonce | tag | ciphertext).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { SpeanError } from "../base/errors.ts";

const PREFIX = "v1:";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface FieldCipher {
  encrypt(plain: string): string;
  /** @throws {SpeanError} SPEAN_CRYPTO_FAILED when the key is wrong or the value was altered. */
  decrypt(stored: string): string;
}

/** Creates a cipher bound to one 32-byte key. */
export function createFieldCipher(key: Buffer): FieldCipher {
  if (key.length !== 32) throw new SpeanError("SPEAN_CONFIG_INVALID", "the encryption key must be 32 bytes");
  return {
    encrypt(plain) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, nonce);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return PREFIX + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString("base64");
    },
    decrypt(stored) {
      if (!stored.startsWith(PREFIX)) throw new SpeanError("SPEAN_CRYPTO_FAILED", "unknown ciphertext format");
      const raw = Buffer.from(stored.slice(PREFIX.length), "base64");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, NONCE_BYTES));
        decipher.setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString(
          "utf8",
        );
      } catch (cause) {
        throw new SpeanError("SPEAN_CRYPTO_FAILED", undefined, {}, { cause });
      }
    },
  };
}
