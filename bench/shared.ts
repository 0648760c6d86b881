/** Constants shared by the benchmark driver and the process it measures. */
export const BENCH_SECRET = "bench_secret";
export const BENCH_TOKEN = "5555555555:bench-token-for-the-fake-bot-api-only";
export const WEBHOOK_PATH = "/telegram/webhook";
