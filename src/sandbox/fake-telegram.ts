/**
 * A fake Telegram Bot API, in memory: the methods Spean uses, Telegram-shaped results and errors, Telegram's limits
 * (4096 characters, 64-byte callback data, 48-hour delete window), long polling that honours offset and timeout,
 * webhook delivery with the secret header and re-delivery on failure, fault injection, and a control side to act as
 * residents and read what the bot sent. The sandbox page and every end-to-end test use it.
 */
import { InputFile } from "grammy";
import { utf8Length } from "../khmer/text.ts";

export interface FakeUser {
  id: number;
  first_name: string;
  language_code?: string;
}

export interface FakeMessage {
  /** Order of arrival across all chats (the page asks for "everything after seq N"). */
  seq: number;
  message_id: number;
  chat_id: number;
  from: "bot" | "user";
  text?: string;
  kind: string;
  reply_markup?: unknown;
  /** A voice note's, photo's or document's file id (the fake holds no file behind a user's; see `uploads`). */
  file_id?: string;
  /** Seconds, for voice notes. */
  duration?: number;
  caption?: string;
  /** Forwarded from someone else. */
  forwarded?: boolean;
  protect_content?: boolean;
  disable_notification?: boolean;
  /** Seconds since the epoch, as Telegram gives it. */
  date: number;
  deleted: boolean;
  edited: boolean;
}

export interface FakeChat {
  id: number;
  type: "private" | "group";
  title: string;
  blocked: boolean;
}

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
}

export interface Fault {
  method?: string;
  chatId?: number;
  errorCode: 429 | 403 | 400 | 500 | 502;
  retryAfter?: number;
  description?: string;
  /** How many calls fail (default 1). */
  times: number;
}

type ApiResult =
  | { ok: true; result: unknown }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after: number } };

export interface FakeTelegramOptions {
  token: string;
  botUsername?: string;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  /** Delay before re-delivering a webhook update that was not acknowledged (default 1000 ms). */
  webhookRetryMs?: number;
  /**
   * Telegram's sending limits, enforced on sendMessage when given (the benchmark uses them): more than `perSecond`
   * messages in any second gets 429; two messages to one chat closer than `chatIntervalMs` are counted as a
   * per-chat violation (Telegram may also answer 429 then).
   */
  limits?: { perSecond: number; chatIntervalMs: number };
  /**
   * The first update's id (default 700,000,001). Telegram's ids only grow: a fake talking to a database an earlier
   * fake filled (a copy) starts after that one's ids, or its updates would be taken for ones already handled.
   */
  firstUpdateId?: number;
}

const DELETE_WINDOW_MS = 48 * 3_600_000;

class ApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }
}

export class FakeTelegram {
  readonly token: string;
  readonly botInfo;
  readonly calls: ApiCall[] = [];
  private readonly now: () => number;
  private readonly users = new Map<number, FakeUser>();
  private readonly chats = new Map<number, FakeChat>();
  private readonly messages: FakeMessage[] = [];
  private readonly nextMessageId = new Map<number, number>();
  private readonly openQueries = new Set<string>();
  private readonly faults: Fault[] = [];
  private silentUntil = 0;
  private updates: Record<string, unknown>[] = [];
  private nextUpdateId = 700_000_001;
  private seq = 0;
  /** File ids this bot may send by id: users' media and its own uploads (Telegram's are per bot). */
  private readonly fileIds = new Set<string>();
  /** What the bot uploaded, by the file id it was given. */
  private readonly uploads = new Map<string, Uint8Array>();
  private queryCounter = 0;
  private waiter: { resolve: () => void; reject: (e: ApiError) => void } | undefined;
  private listeners: (() => void)[] = [];
  private webhook: { url: string; secret?: string } | undefined;
  private delivering = false;
  private readonly webhookRetryMs: number;
  commands: Record<string, unknown> = {};
  /** With `limits`: how often each was broken. */
  readonly limitStats = { tooManyRequests: 0, perChatViolations: 0 };
  /** Long polls a newer getUpdates ended with 409 Conflict: each is two pollers at once (or a dead one's request). */
  readonly pollStats = { conflicts: 0 };
  private readonly limits: FakeTelegramOptions["limits"];
  private recentSends: number[] = [];
  private readonly lastSendToChat = new Map<number, number>();

  constructor(options: FakeTelegramOptions) {
    this.token = options.token;
    this.now = options.now ?? Date.now;
    this.webhookRetryMs = options.webhookRetryMs ?? 1000;
    this.limits = options.limits;
    this.nextUpdateId = options.firstUpdateId ?? this.nextUpdateId;
    this.botInfo = {
      id: Number(options.token.split(":")[0]),
      is_bot: true as const,
      first_name: "Spean",
      username: options.botUsername ?? "spean_sandbox_bot",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
  }

  // ---- control side: acting as people ----

  /** Adds a resident (a private chat with the bot). */
  addUser(user: FakeUser): FakeUser {
    this.users.set(user.id, user);
    this.chats.set(user.id, { id: user.id, type: "private", title: user.first_name, blocked: false });
    return user;
  }

  /** Adds a group chat the bot is a member of (the staff group). */
  addGroup(id: number, title: string): FakeChat {
    const chat: FakeChat = { id, type: "group", title, blocked: false };
    this.chats.set(id, chat);
    return chat;
  }

  listChats(): FakeChat[] {
    return [...this.chats.values()];
  }

  /** The resident types text (commands included), optionally as a reply to a message of their chat. */
  sendText(userId: number, text: string, options: { replyTo?: number } = {}): Record<string, unknown> {
    const message = this.recordUserMessage(userId, "text", text);
    const entities = commandEntities(text);
    const replied =
      options.replyTo === undefined
        ? undefined
        : this.messages.find((m) => m.chat_id === userId && m.message_id === options.replyTo);
    const reply = replied ? { reply_to_message: this.repliedObject(userId, replied) } : {};
    return this.pushUpdate({
      message: { ...this.messageBase(userId, message), text, ...(entities ? { entities } : {}), ...reply },
    });
  }

  /** A user (resident or staff member) writes in a group chat, e.g. a command in the staff group. */
  sendGroupText(groupId: number, userId: number, text: string): Record<string, unknown> {
    const chat = this.chats.get(groupId);
    if (!chat || chat.type !== "group") throw new ApiError(400, "Bad Request: chat not found");
    const message: FakeMessage = {
      seq: ++this.seq,
      message_id: this.takeMessageId(groupId),
      chat_id: groupId,
      from: "user",
      kind: "text",
      date: this.seconds(),
      deleted: false,
      edited: false,
      text,
    };
    this.messages.push(message);
    const entities = commandEntities(text);
    return this.pushUpdate({
      message: {
        message_id: message.message_id,
        date: message.date,
        chat: this.chatObject(groupId),
        from: this.userObject(userId),
        text,
        ...(entities ? { entities } : {}),
      },
    });
  }

  /**
   * A user sends something that is not text (sample media: each has a file id of its own, but no file behind it
   * that the bot could download). `forwarded`: forwarded from someone else.
   */
  sendOther(
    userId: number,
    kind: "sticker" | "voice" | "photo" | "document",
    options: { duration?: number; forwarded?: boolean } = {},
  ): Record<string, unknown> {
    const message = this.recordUserMessage(userId, kind, undefined);
    const fileId = `${kind}-${userId}-${message.message_id}`;
    message.file_id = fileId;
    this.fileIds.add(fileId);
    if (kind === "voice") message.duration = options.duration ?? 3;
    if (options.forwarded) message.forwarded = true;
    const unique = `u${message.message_id}`;
    const body = {
      sticker: {
        file_id: fileId,
        file_unique_id: unique,
        type: "regular",
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
      },
      voice: { file_id: fileId, file_unique_id: unique, duration: message.duration ?? 3, mime_type: "audio/ogg" },
      photo: [{ file_id: fileId, file_unique_id: unique, width: 90, height: 90 }],
      document: { file_id: fileId, file_unique_id: unique, file_name: "sample.pdf", mime_type: "application/pdf" },
    }[kind];
    const forward = options.forwarded ? forwardOrigin(message.date) : {};
    return this.pushUpdate({ message: { ...this.messageBase(userId, message), [kind]: body, ...forward } });
  }

  /** Whether `fileId` is a voice note's (a user's sample or the bot's upload). */
  isVoiceFile(fileId: string): boolean {
    return this.fileIds.has(fileId) && (fileId.startsWith("voice-") || this.uploads.has(fileId));
  }

  /** The bytes of a voice file the bot uploaded (the sandbox page plays them); undefined for any other id. */
  uploadedFile(fileId: string): Uint8Array | undefined {
    return this.uploads.get(fileId);
  }

  /** The resident shares their own phone number with Telegram's contact button. */
  sendContact(userId: number, phone: string): Record<string, unknown> {
    const message = this.recordUserMessage(userId, "contact", undefined);
    const contact = { phone_number: phone, first_name: this.users.get(userId)?.first_name ?? "", user_id: userId };
    return this.pushUpdate({ message: { ...this.messageBase(userId, message), contact } });
  }

  /** A user presses an inline button on one of the bot's messages: in their private chat, or in a group. */
  pressButton(userId: number, messageId: number, data: string, chatId = userId): Record<string, unknown> {
    const message = this.messages.find((m) => m.chat_id === chatId && m.message_id === messageId && m.from === "bot");
    if (!message) throw new ApiError(400, "Bad Request: message not found");
    const id = `${++this.queryCounter}`;
    this.openQueries.add(id);
    return this.pushUpdate({
      callback_query: {
        id,
        from: this.userObject(userId),
        chat_instance: `ci${userId}`,
        data,
        message: {
          message_id: message.message_id,
          date: message.date,
          chat: this.chatObject(chatId),
          from: this.botInfo,
          text: message.text ?? "",
        },
      },
    });
  }

  /** The resident blocks the bot: later sends fail with 403, and a my_chat_member update arrives. */
  blockBot(userId: number): void {
    const chat = this.chats.get(userId);
    if (chat) chat.blocked = true;
    this.pushUpdate({
      my_chat_member: {
        chat: this.chatObject(userId),
        from: this.userObject(userId),
        date: this.seconds(),
        old_chat_member: { user: this.botInfo, status: "member" },
        new_chat_member: { user: this.botInfo, status: "kicked", until_date: 0 },
      },
    });
  }

  /** Queues any update as given (for malformed or poison updates); update_id is added when missing. */
  injectUpdate(update: Record<string, unknown>): Record<string, unknown> {
    return this.pushUpdate(update, typeof update.update_id === "number");
  }

  /** Makes the next matching calls fail. */
  addFault(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /**
   * A black hole for `ms` from now: the HTTP Bot API (sandbox/routes.ts) accepts connections and answers nothing,
   * as a Telegram that has gone silent; requests made meanwhile are never answered. 0 ends it at once.
   */
  blackHoleFor(ms: number): void {
    this.silentUntil = this.now() + ms;
  }

  /** Whether the Bot API is silent now (see blackHoleFor). */
  isSilent(): boolean {
    return this.now() < this.silentUntil;
  }

  /** Every message in a chat (both sides, deleted ones flagged), oldest first. */
  chatLog(chatId: number): FakeMessage[] {
    return this.messages.filter((m) => m.chat_id === chatId);
  }

  /** The bot's visible messages in a chat. */
  botMessages(chatId: number): FakeMessage[] {
    return this.messages.filter((m) => m.chat_id === chatId && m.from === "bot" && !m.deleted);
  }

  /** Messages after sequence number `after`, across all chats. */
  messagesAfter(after: number): FakeMessage[] {
    return this.messages.filter((m) => m.seq > after);
  }

  /** Resolves when `predicate` holds, checked after every change (rejects after `timeoutMs`, default 10 s). */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = predicate();
        if (value === undefined || value === false) return false;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve(value);
        return true;
      };
      const listener = () => void check();
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error(`waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) this.listeners.push(listener);
    });
  }

  pendingUpdates(): number {
    return this.updates.length;
  }

  webhookInfo() {
    return this.webhook;
  }

  // ---- Bot API side ----

  /** Handles one Bot API call as Telegram would; `token` is the one in the URL. */
  async call(token: string, method: string, params: Record<string, unknown>): Promise<ApiResult> {
    if (token !== this.token) return { ok: false, error_code: 401, description: "Unauthorized" };
    this.calls.push({ method, params, at: this.now() });
    try {
      this.injectFault(method, params);
      const result = await this.dispatch(method, params);
      this.notify();
      return { ok: true, result };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.notify();
      return {
        ok: false,
        error_code: err.errorCode,
        description: err.description,
        ...(err.retryAfter !== undefined ? { parameters: { retry_after: err.retryAfter } } : {}),
      };
    }
  }

  private async dispatch(method: string, p: Record<string, unknown>): Promise<unknown> {
    switch (method) {
      case "getMe":
        return this.botInfo;
      case "getUpdates":
        return this.getUpdates(p);
      case "setWebhook":
        return this.setWebhook(p);
      case "deleteWebhook":
        this.webhook = undefined;
        if (p.drop_pending_updates) this.updates = [];
        return true;
      case "getWebhookInfo":
        return {
          url: this.webhook?.url ?? "",
          has_custom_certificate: false,
          pending_update_count: this.updates.length,
        };
      case "sendMessage":
        return this.sendMessage(p);
      case "editMessageText":
      case "editMessageReplyMarkup":
        return this.editMessage(p, method === "editMessageText");
      case "deleteMessages":
        return this.deleteMessages(Number(p.chat_id), p.message_ids);
      case "copyMessage":
        return this.copyMessage(p);
      case "sendVoice":
        return this.sendVoice(p);
      case "deleteMessage":
        return this.deleteMessage(Number(p.chat_id), Number(p.message_id));
      case "answerCallbackQuery": {
        const id = String(p.callback_query_id);
        if (!this.openQueries.delete(id))
          throw new ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
        return true;
      }
      case "setMyCommands":
        this.commands[String(p.language_code ?? "")] = p.commands;
        return true;
      case "getMyCommands":
        return this.commands[String(p.language_code ?? "")] ?? [];
      case "sendChatAction":
        this.requireChat(Number(p.chat_id));
        return true;
      default:
        throw new ApiError(404, "Not Found");
    }
  }

  private async getUpdates(p: Record<string, unknown>): Promise<unknown> {
    if (this.webhook)
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    const offset = typeof p.offset === "number" ? p.offset : 0;
    const limit = Math.min(100, Math.max(1, typeof p.limit === "number" ? p.limit : 100));
    const timeout = Math.min(50, Math.max(0, typeof p.timeout === "number" ? p.timeout : 0));
    this.updates = this.updates.filter((u) => (u.update_id as number) >= offset);
    if (this.updates.length === 0 && timeout > 0) {
      // A newer request ends an older one, as on Telegram.
      if (this.waiter) this.pollStats.conflicts++;
      this.waiter?.reject(
        new ApiError(
          409,
          "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
        ),
      );
      await new Promise<void>((resolve, reject) => {
        // Only this request's own waiter is cleared: an older request settling later must not drop a newer one.
        const waiter = {
          resolve: () => settle(() => resolve()),
          reject: (e: ApiError) => settle(() => reject(e)),
        };
        const timer = setTimeout(waiter.resolve, timeout * 1000);
        const settle = (finish: () => void) => {
          clearTimeout(timer);
          if (this.waiter === waiter) this.waiter = undefined;
          finish();
        };
        this.waiter = waiter;
      });
    }
    return this.updates.slice(0, limit);
  }

  private setWebhook(p: Record<string, unknown>): true {
    const url = String(p.url ?? "");
    if (url === "") {
      this.webhook = undefined;
      return true;
    }
    const secret = p.secret_token === undefined ? undefined : String(p.secret_token);
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret))
      throw new ApiError(400, "Bad Request: secret token contains unallowed characters");
    this.webhook = { url, ...(secret ? { secret } : {}) };
    void this.deliverWebhook();
    return true;
  }

  private sendMessage(p: Record<string, unknown>): unknown {
    const chatId = Number(p.chat_id);
    const chat = this.requireChat(chatId);
    if (this.limits) this.enforceLimits(chatId, this.limits);
    const text = typeof p.text === "string" ? p.text : "";
    checkText(text);
    checkMarkup(p.reply_markup);
    const message = this.addBotMessage(chatId, p, { text, kind: "text", reply_markup: p.reply_markup });
    const messageId = message.message_id;
    return {
      message_id: messageId,
      date: message.date,
      chat: { id: chatId, type: chat.type },
      from: this.botInfo,
      text,
    };
  }

  /**
   * sendVoice by a file id this bot knows, or by uploading a file (an InputFile in process, a multipart part over
   * HTTP: `voice` is then the part's bytes). Telegram refuses a file id it did not give this bot.
   */
  private async sendVoice(p: Record<string, unknown>): Promise<unknown> {
    const chatId = Number(p.chat_id);
    const chat = this.requireChat(chatId);
    if (this.limits) this.enforceLimits(chatId, this.limits);
    let fileId: string;
    if (typeof p.voice === "string") {
      if (!this.fileIds.has(p.voice)) throw new ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified");
      fileId = p.voice;
    } else {
      const bytes = await uploadedBytes(p.voice);
      if (!bytes) throw new ApiError(400, "Bad Request: there is no voice in the request");
      fileId = `voice-upload-${this.uploads.size + 1}`;
      this.fileIds.add(fileId);
      this.uploads.set(fileId, bytes);
    }
    const caption = typeof p.caption === "string" ? p.caption : undefined;
    checkMarkup(p.reply_markup);
    const message = this.addBotMessage(chatId, p, {
      kind: "voice",
      file_id: fileId,
      ...(caption !== undefined ? { caption } : {}),
      ...(p.reply_markup ? { reply_markup: p.reply_markup } : {}),
    });
    return {
      message_id: message.message_id,
      date: message.date,
      chat: { id: chatId, type: chat.type },
      from: this.botInfo,
      voice: { file_id: fileId, file_unique_id: `u${fileId}`, duration: 3 },
      ...(caption !== undefined ? { caption } : {}),
    };
  }

  /** Records a message the bot sent (sendMessage, copyMessage) with the delivery flags of the call. */
  private addBotMessage(
    chatId: number,
    p: Record<string, unknown>,
    content: Pick<FakeMessage, "kind"> & Partial<Pick<FakeMessage, "text" | "reply_markup" | "file_id" | "caption">>,
  ): FakeMessage {
    const message: FakeMessage = {
      seq: ++this.seq,
      message_id: this.takeMessageId(chatId),
      chat_id: chatId,
      from: "bot",
      ...content,
      protect_content: p.protect_content === true,
      disable_notification: p.disable_notification === true,
      date: this.seconds(),
      deleted: false,
      edited: false,
    };
    this.messages.push(message);
    return message;
  }

  private editMessage(p: Record<string, unknown>, withText: boolean): unknown {
    const chatId = Number(p.chat_id);
    this.requireChat(chatId);
    const message = this.messages.find(
      (m) => m.chat_id === chatId && m.message_id === Number(p.message_id) && !m.deleted,
    );
    if (!message || message.from !== "bot") throw new ApiError(400, "Bad Request: message to edit not found");
    if (withText) {
      const text = typeof p.text === "string" ? p.text : "";
      checkText(text);
      message.text = text;
    }
    checkMarkup(p.reply_markup);
    message.reply_markup = p.reply_markup;
    message.edited = true;
    return { message_id: message.message_id, date: message.date, chat: { id: chatId }, text: message.text };
  }

  private deleteMessage(chatId: number, messageId: number): true {
    const chat = this.requireChat(chatId);
    const message = this.messages.find((m) => m.chat_id === chatId && m.message_id === messageId);
    if (!message || message.deleted) throw new ApiError(400, "Bad Request: message to delete not found");
    if (this.now() - message.date * 1000 > DELETE_WINDOW_MS)
      throw new ApiError(400, "Bad Request: message can't be deleted");
    if (message.from === "user" && chat.type !== "private")
      throw new ApiError(400, "Bad Request: message can't be deleted");
    message.deleted = true;
    return true;
  }

  /** Like Telegram: ids that cannot be deleted are skipped; 1-100 ids per call. */
  private deleteMessages(chatId: number, ids: unknown): true {
    this.requireChat(chatId);
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100)
      throw new ApiError(400, "Bad Request: message_ids must contain 1-100 ids");
    for (const id of ids) {
      try {
        this.deleteMessage(chatId, Number(id));
      } catch {
        // skipped, as Telegram does
      }
    }
    return true;
  }

  private copyMessage(p: Record<string, unknown>): unknown {
    const chatId = Number(p.chat_id);
    const chat = this.requireChat(chatId);
    const source = this.messages.find(
      (m) => m.chat_id === Number(p.from_chat_id) && m.message_id === Number(p.message_id) && !m.deleted,
    );
    if (!source) throw new ApiError(400, "Bad Request: message to copy not found");
    const message = this.addBotMessage(chatId, p, {
      kind: source.kind,
      ...(source.text !== undefined ? { text: source.text } : {}),
      ...(source.file_id !== undefined ? { file_id: source.file_id } : {}),
    });
    return { message_id: message.message_id, chat: { id: chatId, type: chat.type } };
  }

  private async deliverWebhook(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.webhook && this.updates.length > 0) {
        const { url, secret } = this.webhook;
        const update = this.updates[0] as Record<string, unknown>;
        let delivered = false;
        try {
          const response = await fetch(url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}),
            },
            body: JSON.stringify(update),
          });
          delivered = response.ok;
          await response.arrayBuffer();
        } catch {
          delivered = false;
        }
        if (delivered) this.updates.shift();
        else await new Promise((r) => setTimeout(r, this.webhookRetryMs));
      }
    } finally {
      this.delivering = false;
    }
  }

  // ---- helpers ----

  private enforceLimits(chatId: number, limits: { perSecond: number; chatIntervalMs: number }): void {
    const at = this.now();
    this.recentSends = this.recentSends.filter((t) => t > at - 1000);
    if (this.recentSends.length >= limits.perSecond) {
      this.limitStats.tooManyRequests++;
      throw new ApiError(429, "Too Many Requests: retry after 1", 1);
    }
    const last = this.lastSendToChat.get(chatId);
    if (last !== undefined && at - last < limits.chatIntervalMs) this.limitStats.perChatViolations++;
    this.recentSends.push(at);
    this.lastSendToChat.set(chatId, at);
  }

  private injectFault(method: string, params: Record<string, unknown>): void {
    const index = this.faults.findIndex(
      (f) => (!f.method || f.method === method) && (f.chatId === undefined || f.chatId === Number(params.chat_id)),
    );
    if (index < 0) return;
    const fault = this.faults[index] as Fault;
    if (--fault.times <= 0) this.faults.splice(index, 1);
    const description =
      fault.description ??
      {
        429: `Too Many Requests: retry after ${fault.retryAfter ?? 1}`,
        403: "Forbidden: bot was blocked by the user",
        400: "Bad Request: chat not found",
        500: "Internal Server Error",
        502: "Bad Gateway",
      }[fault.errorCode];
    throw new ApiError(fault.errorCode, description, fault.errorCode === 429 ? (fault.retryAfter ?? 1) : undefined);
  }

  private requireChat(chatId: number): FakeChat {
    const chat = this.chats.get(chatId);
    if (!chat) throw new ApiError(400, "Bad Request: chat not found");
    if (chat.blocked) throw new ApiError(403, "Forbidden: bot was blocked by the user");
    return chat;
  }

  private recordUserMessage(userId: number, kind: string, text: string | undefined): FakeMessage {
    const chat = this.chats.get(userId);
    if (!chat || chat.type !== "private") throw new ApiError(400, "Bad Request: chat not found");
    chat.blocked = false;
    const message: FakeMessage = {
      seq: ++this.seq,
      message_id: this.takeMessageId(userId),
      chat_id: userId,
      from: "user",
      kind,
      date: this.seconds(),
      deleted: false,
      edited: false,
      ...(text !== undefined ? { text } : {}),
    };
    this.messages.push(message);
    this.notify();
    return message;
  }

  /** A message as it appears in reply_to_message: who wrote it, and a voice note's file id and length. */
  private repliedObject(chatId: number, replied: FakeMessage) {
    return {
      message_id: replied.message_id,
      date: replied.date,
      chat: this.chatObject(chatId),
      from: replied.from === "bot" ? this.botInfo : this.userObject(chatId),
      ...(replied.kind === "voice"
        ? { voice: { file_id: replied.file_id ?? "", file_unique_id: "r", duration: replied.duration ?? 3 } }
        : { text: replied.text ?? "" }),
      ...(replied.forwarded ? forwardOrigin(replied.date) : {}),
    };
  }

  private messageBase(userId: number, message: FakeMessage) {
    return {
      message_id: message.message_id,
      date: message.date,
      chat: this.chatObject(userId),
      from: this.userObject(userId),
    };
  }

  private pushUpdate(body: Record<string, unknown>, keepId = false): Record<string, unknown> {
    const update = keepId ? body : { update_id: this.nextUpdateId++, ...body };
    this.updates.push(update);
    this.waiter?.resolve();
    if (this.webhook) void this.deliverWebhook();
    this.notify();
    return update;
  }

  private userObject(userId: number) {
    const user = this.users.get(userId);
    return {
      id: userId,
      is_bot: false,
      first_name: user?.first_name ?? "Resident",
      ...(user?.language_code ? { language_code: user.language_code } : {}),
    };
  }

  private chatObject(chatId: number) {
    const chat = this.chats.get(chatId);
    return chat?.type === "group"
      ? { id: chatId, type: "group", title: chat.title }
      : { id: chatId, type: "private", first_name: chat?.title ?? "Resident" };
  }

  private takeMessageId(chatId: number): number {
    const id = this.nextMessageId.get(chatId) ?? 1;
    this.nextMessageId.set(chatId, id + 1);
    return id;
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** How Telegram marks a message forwarded from someone who hides their account. */
function forwardOrigin(date: number) {
  return { forward_origin: { type: "hidden_user", sender_user_name: "Someone", date } };
}

/** The bytes of an upload: a grammY InputFile (in process) or a multipart part's bytes (over HTTP). */
async function uploadedBytes(value: unknown): Promise<Uint8Array | undefined> {
  if (value instanceof Uint8Array) return value;
  if (value instanceof InputFile) {
    const raw = await value.toRaw();
    if (raw instanceof Uint8Array) return raw;
    const chunks: Uint8Array[] = [];
    for await (const chunk of raw) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
  return undefined;
}

function checkText(text: string): void {
  const length = [...text].length;
  if (text.trim().length === 0) throw new ApiError(400, "Bad Request: message text is empty");
  if (length > 4096) throw new ApiError(400, "Bad Request: message is too long");
}

function checkMarkup(markup: unknown): void {
  const rows = (markup as { inline_keyboard?: unknown })?.inline_keyboard;
  if (!Array.isArray(rows)) return;
  for (const row of rows) {
    for (const button of row as { text?: unknown; callback_data?: unknown; url?: unknown }[]) {
      if (typeof button.text !== "string" || button.text === "")
        throw new ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard");
      if (typeof button.callback_data === "string") {
        const bytes = utf8Length(button.callback_data);
        if (bytes < 1 || bytes > 64) throw new ApiError(400, "Bad Request: BUTTON_DATA_INVALID");
      } else if (typeof button.url !== "string") {
        throw new ApiError(
          400,
          'Bad Request: can\'t parse inline keyboard button: field "callback_data" or "url" must be set',
        );
      }
    }
  }
}

export { ApiError as FakeApiError };

/** Telegram marks a leading /command with a bot_command entity. */
function commandEntities(text: string): { type: string; offset: number; length: number }[] | undefined {
  return text.startsWith("/")
    ? [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]?.length ?? 1 }]
    : undefined;
}
