/**
 * Counselling booking's vocabulary: topics, sites, appointment statuses, and the shapes the store returns.
 */
import type { Locale } from "../base/locale.ts";

/** What a session is about. Locale wording is neutral on purpose ("family and safety", not "violence"). */
export const TOPICS = ["health", "legal", "work", "family"] as const;
export type Topic = (typeof TOPICS)[number];

/** The three community sites, and counselling by phone. */
export const SITES = ["prek_pnov", "russey_keo", "chbar_ampov", "phone"] as const;
export type Site = (typeof SITES)[number];

export const APPOINTMENT_STATUSES = ["booked", "cancelled", "rescheduled", "attended", "no_show"] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** Why staff should look at an appointment. */
export type AppointmentFlag = "unreachable" | "reminder_missed" | "reminders_off";

export interface WeeklyHours {
  site: Site;
  /** 1 = Monday .. 5 = Friday. */
  weekday: number;
  /** Local minutes after midnight. */
  startMinute: number;
  endMinute: number;
}

export interface Counsellor {
  telegramUserId: number;
  displayName: string;
  sites: Site[];
  topics: Topic[];
  slotMinutes: number;
  active: boolean;
  demo: boolean;
  hours: WeeklyHours[];
}

export interface Appointment {
  id: number;
  chatId: number;
  counsellorId: number;
  topic: Topic;
  site: Site;
  startsAt: number;
  endsAt: number;
  forWhom: "self" | "family";
  /** Decrypted; present when booked for a family member. */
  familyName: string | undefined;
  /** Decrypted; present for a phone session. */
  phone: string | undefined;
  locale: Locale;
  status: AppointmentStatus;
  flag: AppointmentFlag | null;
  rescheduledFrom: number | null;
  confirmedAt: number | null;
  markedBy: number | null;
  markedAt: number | null;
  createdAt: number;
}

/** What a resident chose, before a counsellor is assigned. */
export interface BookingRequest {
  chatId: number;
  topic: Topic;
  site: Site;
  startsAt: number;
  forWhom: "self" | "family";
  familyName?: string;
  phone?: string;
  locale: Locale;
}

export const isTopic = (value: unknown): value is Topic => (TOPICS as readonly unknown[]).includes(value);
export const isSite = (value: unknown): value is Site => (SITES as readonly unknown[]).includes(value);
