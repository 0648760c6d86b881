import { describe, expect, it } from "vitest";
import { SpeanError } from "../../src/errors.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";

describe("field cipher", () => {
  const cipher = createFieldCipher(Buffer.alloc(32, 1));

  it("round-trips Khmer text and never stores it in the clear", () => {
    const stored = cipher.encrypt("ប្ដីវាយខ្ញុំ 012345678");
    expect(stored).not.toContain("012345678");
    expect(cipher.decrypt(stored)).toBe("ប្ដីវាយខ្ញុំ 012345678");
    expect(cipher.encrypt("same")).not.toBe(cipher.encrypt("same"));
  });

  it("refuses a wrong key or altered data with a coded error", () => {
    const stored = cipher.encrypt("secret");
    const other = createFieldCipher(Buffer.alloc(32, 2));
    expect(() => other.decrypt(stored)).toThrow(SpeanError);
    const altered = `${stored.slice(0, -4)}AAAA`;
    expect(() => cipher.decrypt(altered)).toThrow(expect.objectContaining({ code: "SPEAN_CRYPTO_FAILED" }));
  });
});
