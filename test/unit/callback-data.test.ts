import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHOICE_ID_PATTERN,
  decodeCallback,
  encodeCallback,
  fitsCallbackLimit,
} from "../../src/engine/callback-data.ts";

describe("callback data", () => {
  it("round-trips every action within 64 bytes, for any step and any valid choice id", () => {
    const choiceId = fc.stringMatching(CHOICE_ID_PATTERN);
    const step = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(step, choiceId, (s, id) => {
        for (const action of [{ kind: "choice", step: s, choice: id } as const, { kind: "back", step: s } as const]) {
          const data = encodeCallback(action);
          expect(fitsCallbackLimit(data)).toBe(true);
          expect(decodeCallback(data)).toEqual(action);
        }
      }),
    );
    expect(decodeCallback(encodeCallback({ kind: "menu" }))).toEqual({ kind: "menu" });
    expect(decodeCallback(encodeCallback({ kind: "emergency" }))).toEqual({ kind: "emergency" });
  });

  it("does not recognise data it did not write", () => {
    for (const data of ["", "y", "c:1", "c::info", "c:1:Info", "c:1:ព័ត៌មាន", "b:", "m:1", "c:zzzzzzzzzzzz:a"])
      expect(decodeCallback(data)).toBeUndefined();
  });

  it("counts the limit in UTF-8 bytes, not characters", () => {
    expect(fitsCallbackLimit("a".repeat(64))).toBe(true);
    expect(fitsCallbackLimit("a".repeat(65))).toBe(false);
    expect(fitsCallbackLimit("ក".repeat(22))).toBe(false); // 22 characters, 66 bytes
    expect(fitsCallbackLimit("")).toBe(false);
  });
});
