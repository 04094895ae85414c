import type { LangGraphProgram } from "../types.js";
import { chatProgram } from "./chat.js";
import { historyProgram } from "./history.js";
import { interruptProgram } from "./interrupt.js";
import { parallelProgram } from "./parallel.js";
import { sendProgram } from "./send.js";
import { subgraphProgram } from "./subgraph.js";
import { timeTravelProgram } from "./time-travel.js";
import { toolsProgram } from "./tools.js";

/**
 * Every program of the suite, in the order it runs them.
 *
 * @example
 * ```ts
 * LANGGRAPH_PROGRAMS.map((p) => p.name); // ["chat", "tools", "interrupt", …]
 * ```
 */
export const LANGGRAPH_PROGRAMS: readonly LangGraphProgram[] = [
  chatProgram,
  toolsProgram,
  interruptProgram,
  sendProgram,
  subgraphProgram,
  timeTravelProgram,
  parallelProgram,
  historyProgram,
];
