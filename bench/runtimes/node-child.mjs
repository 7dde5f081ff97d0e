// One Node process of `npm run bench:runtimes`: imports the package's Node entry, loads the shipped
// Kim CNN with no paths and answers once; `warm` then times warm calls. Prints one JSON line.
//   node bench/runtimes/node-child.mjs cold          {"firstMs": process start to the first answer, "flavour"}
//   node bench/runtimes/node-child.mjs warm BUDGET   {"kim": {p50...}, "sm": {...}, "flavour"} (microseconds)
const { pipeline } = await import('../../build/src/node/index.js');
const { KIM_TEXT, SM_QUESTION, SM_ANSWER, timeLoop } = await import('./inputs.mjs');
const classifier = pipeline('sentiment-analysis');
classifier.classify(KIM_TEXT);
const firstMs = performance.now(); // since this process's time origin
if (process.argv[2] === 'cold') {
  console.log(JSON.stringify({ firstMs, flavour: classifier.model.flavour }));
} else {
  const budget = Number(process.argv[3] ?? 1500);
  const ranker = pipeline('answer-selection');
  const kim = await timeLoop(() => classifier.classify(KIM_TEXT), budget);
  const sm = await timeLoop(() => ranker.score(SM_QUESTION, SM_ANSWER), budget);
  console.log(JSON.stringify({ kim, sm, flavour: classifier.model.flavour }));
}
