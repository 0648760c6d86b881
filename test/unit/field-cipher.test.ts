import { describe, expect, it } from "vitest";
import { SpeanError } from "../../src/base/errors.ts";
import { openDatabase } from "../../src/db/open.ts";
import { storeMeta } from "../../src/db/schema.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";
import { verifyKey } from "../../src/security/key-check.ts";

describe("field cipher", () => {
  const cipher = createFieldCipher(Buffer.alloc(32, 1));

  it("round-trips Khmer text and never stores it in the clear", () => {
    const stored = cipher.encrypt("ប្ដីវាយខ្ញុំ 012345678");
    expect(stored).not.toContain("012345678");
    expect(cipher.decrypt(stored)).toBe("ប្ដីវាយខ្ញុំ 012345678");
    expect(cipher.encrypt("same")).not.toBe(cipher.encrypt("same"));
  });

  it("never uses a nonce twice, across refills of its random block", () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 3000; i++)
      nonces.add(Buffer.from(cipher.encrypt("x").slice(3), "base64").subarray(0, 12).toString("hex"));
    expect(nonces.size).toBe(3000);
  });

  it("refuses a wrong key or altered data with a coded error", () => {
    const stored = cipher.encrypt("secret");
    const other = createFieldCipher(Buffer.alloc(32, 2));
    expect(() => other.decrypt(stored)).toThrow(SpeanError);
    const altered = `${stored.slice(0, -4)}AAAA`;
    expect(() => cipher.decrypt(altered)).toThrow(expect.objectContaining({ code: "SPEAN_CRYPTO_FAILED" }));
  });
});

describe("key check", () => {
  it("a new database records its key; the same key starts again; another is refused and changes nothing", async () => {
    const db = openDatabase(":memory:");
    const key = createFieldCipher(Buffer.alloc(32, 1));
    await verifyKey(db, key);
    await expect(verifyKey(db, key)).resolves.toBeUndefined();
    const before = db.select().from(storeMeta).all();
    expect(before).toHaveLength(1);
    await expect(verifyKey(db, createFieldCipher(Buffer.alloc(32, 2)))).rejects.toMatchObject({
      code: "SPEAN_KEY_MISMATCH",
    });
    expect(db.select().from(storeMeta).all()).toEqual(before);
    db.$client.close();
  });
});
