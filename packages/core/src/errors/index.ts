// Every error Savepoint throws, by concept: base.ts (the class and its codes),
// usage.ts (bad calls), run.ts (runs that cannot go on), storage.ts (values
// and storage).
export * from "./base.js";
export * from "./run.js";
export * from "./storage.js";
export * from "./usage.js";
