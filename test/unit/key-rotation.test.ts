/**
 * Key rotation (src/security/rotation.ts): with the new key and the old one as previous, everything stays readable,
 * a job re-encrypts it all in batches, and then the old key can go.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open.ts";
import { createInboxStore } from "../../src/inbox/store.ts";
import { createInteractionLog } from "../../src/interactions/log.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";
import { verifyKey } from "../../src/security/key-check.ts";
import { createKeyRotation, rotationStatus } from "../../src/security/rotation.ts";

describe("key rotation", () => {
  it("reads under both keys, re-encrypts everything in batches, and then the old key is not needed", async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const db = openDatabase(":memory:");
    const before = createFieldCipher(oldKey);
    verifyKey(db, before);
    const log = createInteractionLog(db, before);
    for (let i = 0; i < 2500; i++) await log.record({ chatId: 7, direction: "in", kind: "text", text: `message ${i}` });
    await createInboxStore(db, before).ingest({ update_id: 1, message: { chat: { id: 7 }, text: "hi" } } as never);

    // The service restarted with ENCRYPTION_KEY=new and ENCRYPTION_KEY_PREVIOUS=old.
    const during = createFieldCipher(newKey, oldKey);
    expect(() => verifyKey(db, during)).not.toThrow();
    expect((await createInteractionLog(db, during).ofChat(7))[0]?.text).toBe("message 0");
    expect(rotationStatus(db, during)).toEqual({ current: 0, previous: 2502, unreadable: 0 });

    const rotation = createKeyRotation(db, during);
    const passes = [];
    for (let run = 0; run < 10; run++) {
      const pass = db.transaction(() => rotation.batch(1000));
      passes.push(pass);
      if (pass.complete) break;
    }
    expect(passes.at(-1)?.complete).toBe(true);
    expect(passes.reduce((n, p) => n + p.rewritten, 0)).toBe(2502);
    expect(rotationStatus(db, during)).toEqual({ current: 2502, previous: 0, unreadable: 0 });

    // ENCRYPTION_KEY_PREVIOUS removed: the new key alone opens everything, the old one is refused.
    const after = createFieldCipher(newKey);
    expect(() => verifyKey(db, after)).not.toThrow();
    expect((await createInteractionLog(db, after).ofChat(7))[2499]?.text).toBe("message 2499");
    expect(() => verifyKey(db, createFieldCipher(oldKey))).toThrow(
      expect.objectContaining({ code: "SPEAN_KEY_MISMATCH" }),
    );
  });
});
