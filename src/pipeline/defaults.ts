/**
 * The models the package ships, by name, as paths below the package root (weights/ in the
 * repo, the npm package and the Lambda zip). pipeline() with no model, `tinycnn classify`
 * and the Lambda function's defaults all read this table: shipping another model is one
 * line here; making it a task's default is one word in TASK_DEFAULTS.
 */

/** The files of one shipped model. */
export interface ShippedModel {
  /** Safetensors weight file. */
  readonly weights: string;
  /** Embedded word-vector store (.tcv) of matching width. */
  readonly vectors: string;
  /** DynamoDB table of the same vectors, for deployments that keep them there. */
  readonly table: string;
}

/**
 * Every shipped model by name (model cards: weights/cards/). 'kim' (Kim CNN on SST-2,
 * binary sentiment) and 'sm' (SM CNN on TrecQA) are the defaults of the Lambda routes /kim
 * and /sm; 'kim-sst1' is Kim CNN on SST-1 (five classes).
 */
export const SHIPPED_MODELS = {
  kim: { weights: 'weights/kim-sst2.safetensors', vectors: 'weights/kim-sst2.tcv', table: 'word2vec300d' },
  'kim-sst1': { weights: 'weights/kim-sst1.safetensors', vectors: 'weights/kim-sst1.tcv', table: 'kim-sst1-vectors' },
  sm: { weights: 'weights/sm-trecqa.safetensors', vectors: 'weights/sm-trecqa.tcv', table: 'word2vec50d' },
} as const satisfies Record<string, ShippedModel>;

/** A shipped model's name. */
export type ShippedModelName = keyof typeof SHIPPED_MODELS;

/** The tasks pipeline() answers, and the shipped model each loads by default. */
export const TASK_DEFAULTS = {
  'text-classification': 'kim',
  'sentiment-analysis': 'kim',
  'answer-selection': 'sm',
} as const satisfies Record<string, ShippedModelName>;

/** A task name for pipeline(). */
export type TaskName = keyof typeof TASK_DEFAULTS;
