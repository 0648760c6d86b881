/** The Recordings page: every page residents can listen to, what plays there, and one's own voice notes to attach. */
import { type PageRecording, shownDay, shownLength } from "../../recordings/desk.ts";
import type { VoiceDraft } from "../../recordings/store.ts";
import { type RecordingTarget, titleKeyOf } from "../../recordings/targets.ts";
import { localDigits } from "../../khmer/digits.ts";
import { type Html, html } from "./html.ts";
import { hidden, layout, type PageContext, t, when } from "./layout.ts";

export interface RecordingsView {
  pages: PageRecording[];
  drafts: VoiceDraft[];
  /** Recordings made under another bot token (they cannot play). */
  otherBots: number;
}

const titleOf = (ctx: PageContext, target: RecordingTarget) => t(ctx, titleKeyOf(target));

const pageName = (target: RecordingTarget) => target.replace(/^(article|screen):/, "");

const length = (ctx: PageContext, seconds: number | undefined) =>
  seconds === undefined ? "" : shownLength(seconds, ctx.locale);

export function recordingsPage(ctx: PageContext, view: RecordingsView, notice?: string): string {
  const recorded = view.pages.filter((p) => p.recording).length;
  const options = view.pages.map(
    ({ target, recording }) =>
      html`<option value="${pageName(target)}">${recording ? "✅ " : ""}${titleOf(ctx, target)}</option>`,
  );
  const draftRow = (d: VoiceDraft) =>
    html`<tr>
      <td data-label="${t(ctx, "recordings.col_sent")}">${when(ctx, d.createdAt)}</td>
      <td data-label="${t(ctx, "recordings.col_length")}">${length(ctx, d.duration)}</td>
      <td>
        <form method="post" action="/console/recordings/attach">
          ${hidden(ctx)}
          <input type="hidden" name="draft" value="${String(d.id)}" />
          <label for="page-${String(d.id)}">${t(ctx, "recordings.page_label")}</label>
          <select id="page-${String(d.id)}" name="page" required>
            ${options}
          </select>
          <label for="speaker-${String(d.id)}">${t(ctx, "recordings.speaker_label")}</label>
          <input id="speaker-${String(d.id)}" name="speaker" maxlength="8" size="6" autocomplete="off" />
          <button>${t(ctx, "recordings.attach_button")}</button>
        </form>
      </td>
    </tr>`;
  const pageRow = ({ target, recording }: PageRecording) =>
    html`<tr>
      <td data-label="${t(ctx, "recordings.col_page")}">${titleOf(ctx, target)} <code>${pageName(target)}</code></td>
      <td data-label="${t(ctx, "recordings.col_recording")}">
        ${
          recording
            ? t(ctx, recording.source === "staff" ? "recordings.by_staff" : "recordings.shipped", {
                speaker: recording.speaker,
                date: shownDay(recording.date, ctx.locale),
                length: length(ctx, recording.duration),
              })
            : t(ctx, "recordings.none_yet")
        }
      </td>
      <td>
        ${
          recording?.source === "staff"
            ? html`<form method="post" action="/console/recordings/remove">
                ${hidden(ctx)}
                <input type="hidden" name="page" value="${pageName(target)}" />
                <button class="secondary" aria-label="${t(ctx, "recordings.remove_button")}: ${titleOf(ctx, target)}">
                  ${t(ctx, "recordings.remove_button")}
                </button>
              </form>`
            : ""
        }
      </td>
    </tr>`;
  const body: Html = html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
    <p>${t(ctx, "recordings.console_intro")}</p>
    <p>
      <strong>
        ${t(ctx, "recordings.console_summary", {
          recorded: localDigits(ctx.locale, recorded),
          total: localDigits(ctx.locale, view.pages.length),
        })}
      </strong>
    </p>
    ${
      view.otherBots > 0
        ? html`<p class="notice">
            ${t(ctx, "recordings.list_other_bot", { count: localDigits(ctx.locale, view.otherBots) })}
          </p>`
        : ""
    }
    <h2>${t(ctx, "recordings.console_drafts")}</h2>
    ${
      view.drafts.length > 0
        ? html`<table class="queue">
            <thead>
              <tr>
                <th scope="col">${t(ctx, "recordings.col_sent")}</th>
                <th scope="col">${t(ctx, "recordings.col_length")}</th>
                <th scope="col">${t(ctx, "recordings.page_label")}</th>
              </tr>
            </thead>
            <tbody>
              ${view.drafts.map(draftRow)}
            </tbody>
          </table>`
        : html`<p>${t(ctx, "recordings.console_no_drafts")}</p>`
    }
    <h2>${t(ctx, "recordings.console_pages")}</h2>
    <table class="queue">
      <thead>
        <tr>
          <th scope="col">${t(ctx, "recordings.col_page")}</th>
          <th scope="col">${t(ctx, "recordings.col_recording")}</th>
          <th scope="col">${t(ctx, "recordings.remove_button")}</th>
        </tr>
      </thead>
      <tbody>
        ${view.pages.map(pageRow)}
      </tbody>
    </table>`;
  return layout(ctx, t(ctx, "recordings.console_title"), body);
}
