import { defineConfig } from 'vitest/config';

// The AWS SDK warns once per process that its future versions need Node >= 22; a test run loads it
// in several workers and child processes, so it printed the same paragraph several times. Say it
// once here, and let the SDK's own switch silence the copies (workers and children inherit it).
const major = Number(process.versions.node.split('.')[0]);
if (major < 22 && process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.warn(
    `note: Node ${process.versions.node}; AWS SDK for JavaScript v3 versions after early January 2027 require Node >= 22 (its warning is shown once here)`,
  );
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
