/**
 * Staff on the bot: registering with a one-time code (/join <code>, in a private chat) and, for admins, making
 * codes (/invite <role>). Every attempt is audited; after too many wrong codes in a day /join stops checking.
 */
import type { Reply } from "../base/reply.ts";
import { DAY_MS } from "../base/time.ts";
import type { CommandInput, Feature } from "../features/contract.ts";
import { isRole } from "../features/roles.ts";
import type { StaffStore } from "./store.ts";

/** After this many wrong codes in a day, /join stops checking codes for that user. */
const MAX_JOIN_FAILURES_PER_DAY = 5;

/** Words the feature shows (content check makes sure both languages have them). */
export const STAFF_TEXT_KEYS = [
  "casework.join_usage",
  "casework.join_unknown",
  "casework.join_expired",
  "casework.join_used",
  "casework.join_ok",
  "casework.invite_usage",
  "casework.invite_created",
] as const;

export function createStaffFeature(options: { staff: StaffStore; now: () => number }): Feature {
  const { staff, now } = options;

  async function join({ userId, firstName, argument }: CommandInput): Promise<Reply> {
    const code = argument.trim();
    if (!code) return { text: [{ key: "casework.join_usage" }] };
    if ((await staff.refusals(userId, "join", now() - DAY_MS)) >= MAX_JOIN_FAILURES_PER_DAY)
      return { text: [{ key: "casework.join_unknown" }] };
    const result = await staff.redeem(code, userId, firstName);
    await staff.audit(userId, "join", undefined, result.ok);
    if (!result.ok) return { text: [{ key: `casework.join_${result.reason}` }] };
    return {
      text: [
        {
          key: "casework.join_ok",
          params: { name: result.member.displayName, role: { key: `casework.role_${result.member.role}` } },
        },
      ],
    };
  }

  async function invite({ userId, argument }: CommandInput): Promise<Reply> {
    const role = argument.trim().toLowerCase();
    if (!isRole(role)) return { text: [{ key: "casework.invite_usage" }] };
    await staff.audit(userId, "invite", undefined, true);
    const code = await staff.createInvite(role, userId);
    return { text: [{ key: "casework.invite_created", params: { role: { key: `casework.role_${role}` }, code } }] };
  }

  return {
    name: "staff",
    textKeys: STAFF_TEXT_KEYS,
    // A resident's refused attempts (pressing Claim, typing /today) name them; staff members' own trail stays.
    onForget: (chatId) => staff.forgetAudit(chatId),
    commands: [
      { name: "join", where: "private", run: join },
      { name: "invite", where: "private", permission: "invite", run: invite },
    ],
  };
}
