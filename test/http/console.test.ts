/**
 * The staff console over HTTP (src/console/, src/http/console/), with the bot harness as the staff's Telegram:
 * login through the bot with approval, sessions that end, CSRF, who sees what, and one state with the staff group.
 */
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Referral } from "../../src/referrals/store.ts";
import { toIsoDate } from "../../src/base/calendar-date.ts";
import {
  Browser,
  buildConsoleApp,
  csrfOf,
  linkFor as linkForUser,
  logIn as logInUser,
  withoutTokens,
} from "../helpers/console-client.ts";
import {
  buttonsOf,
  CASEWORKER,
  createHarness,
  type Harness,
  RESIDENT,
  STAFF_CHAT,
  SUPERVISOR,
} from "../helpers/harness.ts";

const COUNSELLOR = 6010;
const OTHER_CASEWORKER = 6011;

let h: Harness;
let app: FastifyInstance;

beforeEach(async () => {
  h = await createHarness({ CONSOLE_URL: "https://console.example.org" });
  await h.core.staff.register(COUNSELLOR, "counsellor", "Sreymom");
  await h.core.staff.register(OTHER_CASEWORKER, "caseworker", "Dara");
  h.fake.addUser({ id: COUNSELLOR, first_name: "Sreymom", language_code: "km" });
  h.fake.addUser({ id: OTHER_CASEWORKER, first_name: "Dara", language_code: "km" });
  app = await buildConsoleApp(h);
});
afterEach(async () => {
  await app.close();
  await h.close();
});

/** A browser on this file's app. */
const newBrowser = (userAgent?: string) => new Browser(() => app, userAgent);
const linkFor = (userId: number) => linkForUser(h, userId);
const logIn = (userId: number, browser = newBrowser()) => logInUser(h, browser, userId);

async function referral(urgency: "urgent" | "normal" = "normal"): Promise<Referral> {
  const created = h.core.desk.createReferral({
    chatId: RESIDENT,
    category: "violence",
    urgency,
    district: "russey_keo",
    consentVersion: "v1",
    contact: { method: "call", time: "evening", phone: "012 345 678" },
  });
  return await created;
}

describe("logging in through the bot", () => {
  it("asks in Telegram, naming the browser, and lets in only the browser that opened the link", async () => {
    const link = await linkFor(CASEWORKER);
    const browser = newBrowser();
    const waiting = await browser.get(link);
    expect(waiting.statusCode).toBe(200);
    expect(waiting.body).toContain(`href="${link}"`); // "I pressed ✅, continue": the same link, in this browser
    await h.deliverQueued();
    expect(h.fake.botMessages(CASEWORKER).at(-1)?.text).toContain("Chrome · Android");
    // The same link forwarded to someone else's browser is useless, before and after approval.
    expect((await newBrowser().get(link)).statusCode).toBe(410);
    expect((await browser.get(link)).statusCode).toBe(200); // still waiting for the ✅
    await h.pressAs(CASEWORKER, CASEWORKER, "✅ បាទ/ចាស គឺខ្ញុំ");
    expect((await newBrowser().get(link)).statusCode).toBe(410);
    const done = await browser.get(link);
    expect(done.statusCode).toBe(303);
    const session = done.headers["set-cookie"]?.toString() ?? "";
    expect(session).toMatch(/spean_console=.*HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).toMatch(/Secure/);
    const queue = await browser.get("/console");
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain("កំពុងរង់ចាំបុគ្គលិកសង្គមកិច្ច");
    // Used once: opening the link again gives nothing.
    expect((await browser.get(link)).statusCode).toBe(410);
  });

  it("a refusal in Telegram keeps the browser out; an unopened link expires after 5 minutes", async () => {
    const link = await linkFor(CASEWORKER);
    const browser = newBrowser();
    await browser.get(link);
    await h.deliverQueued();
    await h.pressAs(CASEWORKER, CASEWORKER, "❌ ទេ");
    expect((await browser.get(link)).statusCode).toBe(403);
    expect((await browser.get("/console")).statusCode).toBe(401);
    const late = await linkFor(CASEWORKER);
    h.advance(5 * 60_000 + 1);
    expect((await newBrowser().get(late)).statusCode).toBe(410);
  });

  it("someone not on the roster gets no link; a wrong token gets the same answer as an old one", async () => {
    await h.sayAs(6003, "/console");
    expect(h.fake.botMessages(6003).at(-1)?.text ?? "").not.toContain("/console/login/");
    expect((await newBrowser().get("/console/login/not-a-token")).statusCode).toBe(410);
  });
});

describe("sessions", () => {
  it("end after an idle hour, after 12 hours however used, and when the member leaves the roster", async () => {
    const browser = await logIn(CASEWORKER);
    h.advance(59 * 60_000);
    expect((await browser.get("/console")).statusCode).toBe(200);
    h.advance(61 * 60_000);
    expect((await browser.get("/console")).statusCode).toBe(401);

    const busy = await logIn(CASEWORKER);
    for (let step = 0; step < 14; step++) {
      h.advance(50 * 60_000);
      expect((await busy.get("/console")).statusCode).toBe(200); // used every 50 minutes, for 11 h 40 min
    }
    h.advance(50 * 60_000);
    expect((await busy.get("/console")).statusCode).toBe(401);

    const removed = await logIn(CASEWORKER);
    await h.core.staff.deactivate(CASEWORKER);
    expect((await removed.get("/console")).statusCode).toBe(401);
  });

  it("log out everywhere ends every session of the member; a POST without the CSRF token is refused", async () => {
    const phone = await logIn(SUPERVISOR);
    const laptop = await logIn(SUPERVISOR, newBrowser("Mozilla/5.0 (Windows NT 10.0) Firefox/120.0"));
    const page = await laptop.get("/console");
    expect((await laptop.post("/console/logout-all", {})).statusCode).toBe(403);
    expect((await laptop.post("/console/logout-all", { _csrf: "0".repeat(64) })).statusCode).toBe(403);
    expect((await laptop.post("/console/logout-all", { _csrf: csrfOf(page.body) })).statusCode).toBe(200);
    expect((await phone.get("/console")).statusCode).toBe(401);
    expect((await laptop.get("/console")).statusCode).toBe(401);
  });
});

describe("cases", () => {
  it("a claim in the console edits the staff group's alert; a claim in the group shows in the console", async () => {
    const first = await referral("urgent");
    await h.deliverQueued();
    const browser = await logIn(CASEWORKER);
    const casePage = await browser.get(`/console/cases/${first.id}`);
    expect(casePage.body).not.toContain("012 345 678");
    const claimed = await browser.post(`/console/cases/${first.id}/claim`, { _csrf: csrfOf(casePage.body) });
    expect(claimed.statusCode).toBe(303);
    expect(claimed.headers.location).toBe(`/console/cases/${first.id}?m=casework.you_claimed`);
    await h.deliverQueued();
    expect(h.fake.botMessages(STAFF_CHAT).at(-1)?.text).toContain("Bopha");
    expect((await h.core.referrals.get(first.id))?.assignedTo).toBe(CASEWORKER);

    const second = await referral();
    await h.deliverQueued();
    await h.pressAs(OTHER_CASEWORKER, STAFF_CHAT, "✋ ទទួលយក");
    expect((await browser.get("/console")).body).not.toContain(`/console/cases/${second.id}"`);
    const supervisor = await logIn(SUPERVISOR);
    const all = await supervisor.get(`/console/cases/${second.id}`);
    expect(all.body).toContain("Dara");
  });

  it("a caseworker is refused another's case and its contact; a counsellor is refused the queue", async () => {
    const taken = await referral();
    await h.deliverQueued();
    await h.pressAs(OTHER_CASEWORKER, STAFF_CHAT, "✋ ទទួលយក");
    const browser = await logIn(CASEWORKER);
    const page = await browser.get("/console");
    expect((await browser.get(`/console/cases/${taken.id}`)).statusCode).toBe(404);
    const reveal = await browser.post(`/console/cases/${taken.id}/contact`, { _csrf: csrfOf(page.body) });
    expect(reveal.statusCode).toBe(403);
    expect(reveal.body).not.toContain("012 345 678");
    const counsellor = await logIn(COUNSELLOR);
    expect((await counsellor.get("/console")).statusCode).toBe(403);
    const refusals = (await h.core.staff.auditLog()).filter((a) => !a.allowed).map((a) => a.action);
    expect(refusals).toEqual(expect.arrayContaining(["console_view", "console_reveal_contact", "console_queue"]));
  });

  it("the contact is shown on an audited click, and a resolve records its outcome", async () => {
    const mine = await referral();
    await h.deliverQueued();
    await h.pressAs(CASEWORKER, STAFF_CHAT, "✋ ទទួលយក");
    const browser = await logIn(CASEWORKER);
    const page = await browser.get(`/console/cases/${mine.id}`);
    const csrf = csrfOf(page.body);
    const shown = await browser.post(`/console/cases/${mine.id}/contact`, { _csrf: csrf });
    expect(shown.body).toContain("012 345 678");
    expect(shown.headers["cache-control"]).toBe("no-store");
    expect((await h.core.staff.auditLog()).some((a) => a.action === "console_reveal_contact" && a.allowed)).toBe(true);
    await h.core.referrals.forgetChat(RESIDENT, 999_999); // what /forget does to the case: the contact is erased
    const erased = await browser.post(`/console/cases/${mine.id}/contact`, { _csrf: csrf });
    expect(erased.body).toContain("បានលុបចោល (ក្រោយរយៈពេលរក្សាទុក ឬដោយអ្នករស់នៅ)។");

    const noOutcome = await browser.post(`/console/cases/${mine.id}/close`, { _csrf: csrf });
    expect(noOutcome.headers.location).toContain("console.outcome_required");
    const noted = await browser.post(`/console/cases/${mine.id}/note`, { _csrf: csrf, note: "Called, will visit" });
    expect(noted.headers.location).toContain("console.note_added");
    await browser.post(`/console/cases/${mine.id}/close`, { _csrf: csrf, outcome: "job_or_training" });
    expect((await h.core.referrals.get(mine.id))?.status).toBe("resolved");
    expect((await h.core.referrals.outcomeOf(mine.id))?.outcome).toBe("job_or_training");
    const after = await browser.get(`/console/cases/${mine.id}`);
    expect(after.body).toContain("បានការងារ ឬវគ្គបណ្តុះបណ្តាល");
    expect(after.body).toContain("Called, will visit");
    expect(after.headers["content-security-policy"]).toContain("default-src 'none'");
  });
});

describe("counsellors' hours", () => {
  it("a supervisor sets a counsellor's hours and the bot offers slots from them at once", async () => {
    expect(await h.core.booking.slots.freeSlots("health", "russey_keo")).toEqual([]);
    const vanna = await logIn(SUPERVISOR);
    const page = await vanna.get("/console/hours");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Sreymom");
    const csrf = csrfOf(page.body);
    const bad = await vanna.post(`/console/hours/${COUNSELLOR}`, { _csrf: csrf, hours: "sat 09:00-11:00 moon" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("sat 09:00-11:00 moon"); // what was typed is shown again, with the error
    expect(await h.core.booking.store.counsellor(COUNSELLOR)).toBeUndefined();
    const saved = await vanna.post(`/console/hours/${COUNSELLOR}`, {
      _csrf: csrf,
      hours: "mon-fri 09:00-11:00 russey_keo",
      takes_bookings: "yes",
    });
    expect(saved.headers.location).toBe("/console/hours?m=console.hours_saved");
    const slots = await h.core.booking.slots.freeSlots("health", "russey_keo");
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((s) => s.counsellors.some((c) => c.id === COUNSELLOR))).toBe(true);
    // ... and the bot offers them to a resident booking at Russey Keo: Thursday 26 November is the first day
    // (today is Saturday 21; the Water Festival takes 23-25).
    await h.say("/start");
    await h.press(h.render("main.choice_book"));
    await h.press(h.render("booking.topic_health"));
    await h.press(h.render("booking.site_russey_keo"));
    expect(buttonsOf(h.last())[0]?.text).toContain("២៦ វិច្ឆិកា");
    expect((await vanna.get("/console/hours")).body).toContain('value="mon-fri 09:00-11:00 russey_keo"');
  });

  it("a counsellor sets only their own hours; a caseworker has no hours page", async () => {
    await h.core.staff.register(6012, "counsellor", "Kanha");
    const sreymom = await logIn(COUNSELLOR);
    const page = await sreymom.get("/console/hours");
    expect(page.body).not.toContain("Kanha");
    const csrf = csrfOf(page.body);
    const other = await sreymom.post("/console/hours/6012", { _csrf: csrf, hours: "mon 09:00-10:00 phone" });
    expect(other.statusCode).toBe(403);
    const own = await sreymom.post(`/console/hours/${COUNSELLOR}`, { _csrf: csrf, hours: "tue 14:00-16:00 phone" });
    expect(own.statusCode).toBe(303);
    const bopha = await logIn(CASEWORKER);
    expect((await bopha.get("/console/hours")).statusCode).toBe(403);
  });
});

describe("staff page", () => {
  const ADMIN = 6013;

  it("an admin invites, changes a role and removes someone, whose console session ends at once", async () => {
    await h.core.staff.register(ADMIN, "admin", "Sophea");
    h.fake.addUser({ id: ADMIN, first_name: "Sophea", language_code: "km" });
    const bopha = await logIn(CASEWORKER);
    const admin = await logIn(ADMIN);
    const page = await admin.get("/console/staff");
    expect(page.body).toContain("Bopha");
    const csrf = csrfOf(page.body);
    const invited = await admin.post("/console/staff/invite", { _csrf: csrf, role: "caseworker" });
    const code = /\/join (\S+)\s/.exec(invited.body.replace(/<[^>]+>/g, " "))?.[1]?.replace(/[។.]$/, "");
    expect(code).toMatch(/^[A-Z0-9]{6,}$/);
    h.fake.addUser({ id: 6020, first_name: "Rith", language_code: "km" });
    await h.sayAs(6020, `/join ${code}`);
    expect((await h.core.staff.get(6020))?.role).toBe("caseworker");

    const changed = await admin.post(`/console/staff/${OTHER_CASEWORKER}`, { _csrf: csrf, change: "supervisor" });
    expect(changed.headers.location).toBe("/console/staff?m=console.role_changed");
    expect((await h.core.staff.get(OTHER_CASEWORKER))?.role).toBe("supervisor");
    expect((await bopha.get("/console")).statusCode).toBe(200);
    await admin.post(`/console/staff/${CASEWORKER}`, { _csrf: csrf, change: "remove" });
    expect((await bopha.get("/console")).statusCode).toBe(401);
    expect((await admin.post(`/console/staff/${ADMIN}`, { _csrf: csrf, change: "remove" })).statusCode).toBe(403);
  });

  it("a supervisor reads the roster and audit by name, never a resident's id; a caseworker has no page", async () => {
    await referral();
    await h.deliverQueued();
    await h.pressAs(RESIDENT, STAFF_CHAT, "✋ ទទួលយក"); // a resident in the group presses Claim: refused, audited
    const vanna = await logIn(SUPERVISOR);
    const page = await vanna.get("/console/staff");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("អ្នកមិនមែនបុគ្គលិក");
    expect(page.body).toContain("បានទទួលករណី"); // the action in words, not its code ("claim")
    expect(withoutTokens(page.body)).not.toContain(String(RESIDENT));
    expect(page.body).not.toContain("/console/staff/invite"); // only admins invite
    const bopha = await logIn(CASEWORKER);
    expect((await bopha.get("/console/staff")).statusCode).toBe(403);
  });
});

describe("services page", () => {
  it("lists every number with its source and check state; a caseworker's 'checked today' is recorded", async () => {
    const bopha = await logIn(CASEWORKER);
    const page = await bopha.get("/console/services");
    expect(page.statusCode).toBe(200);
    const services = h.core.content.directory.services;
    for (const service of services) expect(page.body).toContain(service.phones[0] as string);
    const [first] = services as [(typeof services)[number]];
    expect(page.body).toContain(first.source.url);
    const checked = await bopha.post(`/console/services/${first.id}/checked`, { _csrf: csrfOf(page.body) });
    expect(checked.headers.location).toBe("/console/services?m=console.service_checked");
    const line = (await h.core.console.desk.services()).find((s) => s.id === first.id);
    expect(line?.confirmed?.by).toBe("Bopha");
    expect(line?.stale).toBe(false);
    // A service nobody confirmed for more than 180 days is flagged.
    h.advance(400 * 86_400_000);
    expect((await h.core.console.desk.services()).every((s) => s.stale)).toBe(true);
    const unknown = await bopha.post("/console/services/no_such_service/checked", { _csrf: csrfOf(page.body) });
    expect(unknown.statusCode).toBe(401); // 400 days later the session is long gone
  });

  it("a counsellor reads the directory but cannot mark a check", async () => {
    const sreymom = await logIn(COUNSELLOR);
    const page = await sreymom.get("/console/services");
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain("/checked");
    const id = h.core.content.directory.services[0]?.id as string;
    expect((await sreymom.post(`/console/services/${id}/checked`, { _csrf: csrfOf(page.body) })).statusCode).toBe(403);
  });
});

describe("questions page", () => {
  it("shows the questions report to staff (residents' words, never names or ids) and the check-in counts", async () => {
    await h.say("/start");
    await h.say("ឡានក្រុងទៅសៀមរាបម៉ោងប៉ុន្មាន");
    const bopha = await logIn(CASEWORKER);
    const page = await bopha.get("/console/questions");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("ឡានក្រុងទៅសៀមរាបម៉ោងប៉ុន្មាន");
    expect(withoutTokens(page.body)).not.toContain(String(RESIDENT));
    expect(page.body).not.toContain("Test"); // the resident's first name in the fake Telegram
    expect(page.headers["cache-control"]).toBe("no-store");
  });
});

describe("appointments page", () => {
  it("shows a counsellor's own week with holidays; attendance marked here is the bot's mark", async () => {
    await h.core.staff.register(6014, "counsellor", "Piseth");
    await h.core.booking.store.saveCounsellor({
      telegramUserId: COUNSELLOR,
      displayName: "Sreymom",
      sites: ["russey_keo"],
      topics: ["family"],
    });
    await h.core.booking.store.saveCounsellor({
      telegramUserId: 6014,
      displayName: "Piseth",
      sites: ["russey_keo"],
      topics: ["family"],
    });
    const at = Date.parse("2026-11-21T02:00:00Z"); // the harness's clock: Saturday 21 Nov, 9:00 in Phnom Penh
    const book = (counsellorId: number, startsAt: number) =>
      h.core.booking.store.insert({
        chatId: RESIDENT,
        counsellorId,
        topic: "family",
        site: "russey_keo",
        startsAt,
        endsAt: startsAt + 3_600_000,
        forWhom: "self",
        locale: "km",
      });
    const mine = await book(COUNSELLOR, at - 24 * 3_600_000); // Friday 20 Nov
    await book(6014, at - 24 * 3_600_000 + 3 * 3_600_000);
    const sreymom = await logIn(COUNSELLOR);
    const page = await sreymom.get("/console/appointments?week=2026-11-18");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("A-0001");
    expect(page.body).not.toContain("A-0002"); // Piseth's, not hers
    const marked = await sreymom.post(`/console/appointments/${mine.id}/mark`, {
      _csrf: csrfOf(page.body),
      verb: "attended",
    });
    expect(marked.headers.location).toContain("booking.marked_attended");
    expect((await h.core.booking.store.get(mine.id))?.status).toBe("attended");
    expect((await h.core.booking.store.get(mine.id))?.markedBy).toBe(COUNSELLOR);

    const vanna = await logIn(SUPERVISOR);
    const all = await vanna.get("/console/appointments?week=2026-11-20");
    expect(all.body).toContain("A-0002");
    // Per counsellor and per place.
    const piseth = await vanna.get("/console/appointments?week=2026-11-20&counsellor=6014");
    expect(piseth.body).toContain("A-0002");
    expect(piseth.body).not.toContain("A-0001");
    expect((await vanna.get("/console/appointments?week=2026-11-20&site=phone")).body).not.toContain("A-000");
    // The Water Festival (23-25 November) is shown as holidays; the week links move by seven days.
    const next = await vanna.get("/console/appointments?week=2026-11-25");
    expect(next.body.split("ថ្ងៃឈប់សម្រាក៖ គ្មានវគ្គទេ។")).toHaveLength(4);
    expect(next.body).toContain("/console/appointments?week=2026-11-16");
    expect(next.body).toContain("/console/appointments?week=2026-11-30");
    const bopha = await logIn(CASEWORKER);
    expect((await bopha.get("/console/appointments")).statusCode).toBe(403);
  });
});

describe("time off", () => {
  it("days off stop new slots on those days only, and removing them brings the slots back", async () => {
    const vanna = await logIn(SUPERVISOR);
    const csrf = csrfOf((await vanna.get("/console/hours")).body);
    await vanna.post(`/console/hours/${COUNSELLOR}`, {
      _csrf: csrf,
      hours: "mon-fri 09:00-11:00 russey_keo",
      takes_bookings: "yes",
    });
    const days = async () =>
      new Set((await h.core.booking.slots.freeSlots("health", "russey_keo")).map((s) => toIsoDate(s.date)));
    expect((await days()).has("2026-12-01")).toBe(true);
    const off = await vanna.post(`/console/hours/${COUNSELLOR}/time-off`, {
      _csrf: csrf,
      from: "2026-11-30",
      to: "2026-12-02",
    });
    expect(off.headers.location).toBe("/console/hours?m=console.time_off_added");
    expect((await days()).has("2026-12-01")).toBe(false);
    expect((await days()).has("2026-11-30")).toBe(false);
    expect((await days()).has("2026-12-03")).toBe(true);
    const backwards = await vanna.post(`/console/hours/${COUNSELLOR}/time-off`, {
      _csrf: csrf,
      from: "2026-12-05",
      to: "2026-12-01",
    });
    expect(backwards.headers.location).toBe("/console/hours?m=console.time_off_invalid");
    const page = await vanna.get("/console/hours");
    const removeUrl = /action="(\/console\/hours\/\d+\/time-off\/\d+\/remove)"/.exec(page.body)?.[1] as string;
    await vanna.post(removeUrl, { _csrf: csrf });
    expect((await days()).has("2026-12-01")).toBe(true);
    const bopha = await logIn(CASEWORKER);
    const refused = await bopha.post(`/console/hours/${COUNSELLOR}/time-off`, {
      _csrf: csrfOf((await bopha.get("/console")).body),
      from: "2026-12-07",
      to: "2026-12-08",
    });
    expect(refused.statusCode).toBe(403);
  });
});

describe("language and old cases", () => {
  it("Khmer by default; English on request, kept in a cookie", async () => {
    const bopha = await logIn(CASEWORKER);
    expect((await bopha.get("/console")).body).toContain('<html lang="km">');
    const switched = await bopha.get("/console/language?to=en");
    expect(switched.statusCode).toBe(303);
    const page = await bopha.get("/console");
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain("Waiting for a caseworker");
  });

  it("notes and messages of a case closed more than CASE_CONTENT_DAYS ago are for supervisors only", async () => {
    const mine = await referral();
    await h.deliverQueued();
    await h.pressAs(CASEWORKER, STAFF_CHAT, "✋ ទទួលយក");
    let bopha = await logIn(CASEWORKER);
    const csrf = csrfOf((await bopha.get(`/console/cases/${mine.id}`)).body);
    await bopha.post(`/console/cases/${mine.id}/note`, { _csrf: csrf, note: "Visited, she is safe at her sister's" });
    await bopha.post(`/console/cases/${mine.id}/close`, { _csrf: csrf, outcome: "service_received" });
    expect((await bopha.get(`/console/cases/${mine.id}`)).body).toContain("Visited, she is safe");
    h.advance(31 * 86_400_000);
    bopha = await logIn(CASEWORKER);
    const later = await bopha.get(`/console/cases/${mine.id}`);
    expect(later.body).not.toContain("Visited, she is safe");
    expect(later.body).toContain("សារ និងកំណត់ចំណាំនៃករណីនេះ ត្រូវបានលាក់ពីអ្នក។");
    const vanna = await logIn(SUPERVISOR);
    expect((await vanna.get(`/console/cases/${mine.id}`)).body).toContain("Visited, she is safe");
  });
});
