// Types of inputs.mjs, for bench/runtimes.ts.
export declare const KIM_TEXT: string;
export declare const SM_QUESTION: string;
export declare const SM_ANSWER: string;
export interface Times { p50: number; p90: number; min: number; n: number }
export declare function timeLoop(fn: () => unknown, budgetMs: number): Promise<Times>;
export declare function summarise(times: number[]): Times;
