/**
 * The console's Recordings page (src/http/console/recordings-*.ts): who may open it, every page with what plays
 * there, attaching one's own voice note sent to the bot, removing a recording, and refusals (another member's
 * note, an unknown page, a forged form without its CSRF token).
 */
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Browser, buildConsoleApp, csrfOf, logIn } from "../helpers/console-client.ts";
import { CASEWORKER, createHarness, type Harness, RESIDENT, SUPERVISOR } from "../helpers/harness.ts";
import { rowsOf } from "../helpers/test-database.ts";

let h: Harness;
let app: FastifyInstance;
const EDITOR = 6004;

beforeEach(async () => {
  h = await createHarness({ CONSOLE_URL: "https://console.example.org" });
  await h.core.staff.register(EDITOR, "content", "Sok Sokha");
  h.fake.addUser({ id: EDITOR, first_name: "Sokha", language_code: "km" });
  app = await buildConsoleApp(h);
});
afterEach(async () => {
  await app.close();
  await h.close();
});

/** The editor sends the bot a voice note (kept as a draft for the console). */
async function sendVoiceNote(from = EDITOR, seconds = 65) {
  await h.handle(h.fake.sendOther(from, "voice", { duration: seconds }));
  await h.deliverQueued();
}

describe("the Recordings page", () => {
  it("lets a content member attach their voice note to a page, which residents can then listen to", async () => {
    await sendVoiceNote();
    const editor = await logIn(h, new Browser(() => app), EDITOR);
    const page = await editor.get("/console/recordings");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(h.render("recordings.console_drafts"));
    expect(page.body).toContain("១:០៥"); // the note's length, in Khmer digits
    expect(page.body).toContain('<option value="passport">');
    const draft = /name="draft" value="(\d+)"/.exec(page.body)?.[1] ?? "";

    const attached = await editor.post("/console/recordings/attach", {
      _csrf: csrfOf(page.body),
      draft,
      page: "passport",
      speaker: "",
    });
    expect(attached.statusCode).toBe(303);
    expect(attached.headers.location).toBe("/console/recordings?m=recordings.attached_notice");
    const after = await editor.get("/console/recordings?m=recordings.attached_notice");
    expect(after.body).toContain(h.render("recordings.attached_notice"));
    expect(after.body).toContain(h.render("recordings.console_no_drafts")); // attached: no longer a draft
    expect(after.body).toContain("S.S.");
    expect(await h.core.recordings.playable("article:passport")).toMatchObject({ duration: 65, source: "staff" });

    const removed = await editor.post("/console/recordings/remove", { _csrf: csrfOf(after.body), page: "passport" });
    expect(removed.statusCode).toBe(303);
    expect(await h.core.recordings.playable("article:passport")).toBeUndefined();
    const audit = await rowsOf(
      h.core,
      "select allowed from staff_audit where action = 'manage_recordings' order by id",
    );
    expect(audit).toEqual([{ allowed: 1 }, { allowed: 1 }]);
  });

  it("is not for caseworkers, and refuses another member's note, unknown pages and forged forms", async () => {
    const caseworker = await logIn(h, new Browser(() => app), CASEWORKER);
    expect((await caseworker.get("/console/recordings")).statusCode).toBe(403);
    expect((await caseworker.get("/console")).body).not.toContain('href="/console/recordings"');

    // The supervisor's own voice note is a draft of theirs; the editor cannot attach it.
    await sendVoiceNote(SUPERVISOR);
    const [supervisorDraft] = await h.core.recordings.drafts(SUPERVISOR);
    const editor = await logIn(h, new Browser(() => app), EDITOR);
    const page = await editor.get("/console/recordings");
    expect(page.body).toContain('href="/console/recordings"');
    const csrf = csrfOf(page.body);
    const stolen = await editor.post("/console/recordings/attach", {
      _csrf: csrf,
      draft: String(supervisorDraft?.id),
      page: "passport",
    });
    expect(stolen.statusCode).toBe(404);
    const unknown = await editor.post("/console/recordings/attach", { _csrf: csrf, draft: "1", page: "nowhere" });
    expect(unknown.statusCode).toBe(400);
    const forged = await editor.post("/console/recordings/remove", { _csrf: "forged", page: "passport" });
    expect(forged.statusCode).toBe(403);
    expect((await h.core.recordings.coverage()).filter((p) => p.recording)).toEqual([]);
  });

  it("keeps no resident's voice note as a draft", async () => {
    await h.say("/start");
    await sendVoiceNote(RESIDENT);
    expect(await rowsOf(h.core, "select count(*) as n from voice_drafts")).toEqual([{ n: 0 }]);
  });
});
