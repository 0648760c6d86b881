/**
 * The Feature contract (docs/ARCHITECTURE.md): a feature is its own folder plus one line in the feature list, and
 * everything it declares reaches the registry, the content check, the bot, the scheduler, quick exit and
 * retention. Also: commands meant for another bot are ignored, and staff permissions come from the roles table.
 */
import { afterEach, describe, expect, it } from "vitest";
import { builtInFeatures } from "../../src/service/features.ts";
import { scheduledJobs } from "../../src/service/jobs.ts";
import { createToyFeature, type ToyState } from "../fixtures/toy-feature/feature.ts";
import { CASEWORKER, createHarness, type Harness, RESIDENT, STAFF_CHAT, SUPERVISOR } from "../helpers/harness.ts";
import { rowsOf } from "../helpers/test-database.ts";

let h: Harness | undefined;
afterEach(() => h?.close());

describe("a toy feature, registered with one line", () => {
  const state: ToyState = { ticks: 0, exits: [], purgedWithDays: [] };
  const withToy = (textKey?: string) =>
    createHarness({}, { features: (parts) => [...builtInFeatures(parts), createToyFeature(state, textKey)] });

  it("gets its action, commands, job, retention and quick exit wired in", async () => {
    h = await withToy();
    expect(h.core.registry.actions.has("toy_count")).toBe(true);

    await h.sayAs(SUPERVISOR, "/toy");
    expect(h.fake.botMessages(SUPERVISOR).at(-1)?.text).toBe(h.render("common.main_menu"));
    await h.handle(h.fake.sendGroupText(STAFF_CHAT, CASEWORKER, "/toyreport"));
    expect(h.fake.botMessages(STAFF_CHAT).at(-1)?.text).toBe(h.render("common.main_menu"));

    const jobs = scheduledJobs(h.core);
    expect(jobs.map((j) => j.name)).toContain("toy-tick");
    await jobs.find((j) => j.name === "toy-tick")?.run();
    expect(state.ticks).toBe(1);
    expect(await jobs.find((j) => j.name === "retention")?.run()).toMatchObject({ toyErased: 0 });
    expect(state.purgedWithDays).toEqual([h.core.config.retentionDays]);

    await h.say("/start");
    await h.say("/exit");
    expect(state.exits).toEqual([RESIDENT]);
  });

  it("a resident typing its supervisors' command gets 'unknown command', and the refusal is audited", async () => {
    h = await withToy();
    await h.say("/start");
    await h.say("/toy");
    expect(h.lastTexts(2)[0]).toBe(h.render("common.unknown_command"));
    const audit = await rowsOf(h.core, "select action, allowed from staff_audit where telegram_user_id = ?", [
      RESIDENT,
    ]);
    expect(audit).toEqual([{ action: "resolve_any", allowed: 0 }]);
  });

  it("its text keys are checked: a key missing from the locales stops the service from starting", async () => {
    await expect(withToy("toy.hello")).rejects.toThrow(/locales\/km: key "toy\.hello" is missing/);
  });

  it("two features registering the same name is a start-up error naming both", async () => {
    const clash = { name: "clash", flow: { actions: new Map([["kb_feedback", () => ({})]]) } };
    await expect(createHarness({}, { features: (parts) => [...builtInFeatures(parts), clash] })).rejects.toThrow(
      /action "kb_feedback" is registered by knowledge and clash/,
    );
  });
});

describe("routing", () => {
  it("in a shared group, a command to another bot is ignored; one addressed to Spean is answered", async () => {
    h = await createHarness();
    await h.handle(h.fake.sendGroupText(STAFF_CHAT, CASEWORKER, "/sessions@some_other_bot"));
    expect(h.fake.botMessages(STAFF_CHAT)).toEqual([]);
    await h.handle(h.fake.sendGroupText(STAFF_CHAT, CASEWORKER, `/sessions@${h.fake.botInfo.username}`));
    expect(h.fake.botMessages(STAFF_CHAT)).toHaveLength(1);
  });

  it("/today per the roles table: a caseworker is answered as a resident, a supervisor gets a day list", async () => {
    h = await createHarness();
    const [dayList] = h.render("booking.staff_day_empty").split("{{") as [string];
    await h.sayAs(CASEWORKER, "/today");
    const caseworkerSaw = h.fake.botMessages(CASEWORKER).map((m) => m.text ?? "");
    expect(caseworkerSaw.length).toBeGreaterThan(0);
    expect(caseworkerSaw.some((t) => t.startsWith(dayList))).toBe(false);
    await h.sayAs(SUPERVISOR, "/today");
    expect(h.fake.botMessages(SUPERVISOR).at(-1)?.text?.startsWith(dayList)).toBe(true);
  });
});
