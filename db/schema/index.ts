export * from "./agents";
export * from "./people";
export * from "./instructions";
export * from "./tasks";
export * from "./outputs";
export * from "./messages";
export * from "./events";
export * from "./idempotency";
