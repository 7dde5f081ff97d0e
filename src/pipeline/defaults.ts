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

/** Every shipped model by name. 'kim' and 'sm' are the defaults of the Lambda routes /kim and /sm. */
export const SHIPPED_MODELS = {
  kim: { weights: 'weights/kim-static-sst1.safetensors', vectors: 'weights/vectors-300d.tcv', table: 'word2vec300d' },
  sm: { weights: 'weights/sm-trecqa.safetensors', vectors: 'weights/vectors-50d.tcv', table: 'word2vec50d' },
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
