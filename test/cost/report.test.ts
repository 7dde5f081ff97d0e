// The REPORT-line parser on lines shaped exactly like CloudWatch's, and on broken ones.
import { describe, expect, it } from 'vitest';
import { parseReportLine, parseReportLog } from '../../src/cost/report.js';

const ID = '3604209a-e9a3-11e6-939a-754dd98c7be3';
// Real layout: fields separated by a tab, and a trailing tab after the last one.
const COLD = `REPORT RequestId: ${ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.12 ms\t`;
const WARM = `REPORT RequestId: ${ID}\tDuration: 2.05 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 71 MB\t`;

function record(text: string) {
  const r = parseReportLine(text, 1);
  if (r.kind !== 'report') throw new Error(`expected a report, got ${JSON.stringify(r)}`);
  return r.record;
}

describe('parseReportLine on real-shaped lines', () => {
  it('reads a cold start (tabs, trailing tab, Init Duration)', () => {
    expect(record(COLD)).toEqual({
      line: 1,
      requestId: ID,
      durationMs: 12.34,
      billedDurationMs: 13,
      memorySizeMb: 128,
      maxMemoryUsedMb: 70,
      initDurationMs: 150.12,
      restoreDurationMs: undefined,
      billedRestoreDurationMs: undefined,
      status: 'success',
    });
  });

  it('reads a warm start (no Init Duration)', () => {
    const r = record(WARM);
    expect(r.durationMs).toBe(2.05);
    expect(r.billedDurationMs).toBe(3);
    expect(r.initDurationMs).toBeUndefined();
  });

  it('accepts spaces instead of tabs, and no trailing tab', () => {
    const r = record(`REPORT RequestId: ${ID} Duration: 1.00 ms Billed Duration: 1 ms Memory Size: 1769 MB Max Memory Used: 80 MB`);
    expect(r).toMatchObject({ durationMs: 1, billedDurationMs: 1, memorySizeMb: 1769, maxMemoryUsedMb: 80 });
  });

  it('accepts a prefix (aws logs tail: timestamp and log stream) and CRLF leftovers', () => {
    const r = record(`2024-05-01T12:00:00.123000+00:00 2024/05/01/[$LATEST]0123456789abcdef ${WARM}\r`);
    expect(r).toMatchObject({ requestId: ID, durationMs: 2.05, memorySizeMb: 128 });
  });

  it('tolerates an X-Ray suffix', () => {
    // CloudWatch puts the X-Ray fields after the REPORT fields of the same event.
    const r = record(`${WARM}XRAY TraceId: 1-5e1b4151-43a9f4f2cdf3c9d1b3b1c6d1\tSegmentId: 07fa1b3e0d1c4a1b\tSampled: true\t`);
    expect(r).toMatchObject({ durationMs: 2.05, maxMemoryUsedMb: 71 });
  });

  it('reads SnapStart restore fields as a (restored) cold start', () => {
    const r = record(
      `REPORT RequestId: ${ID}\tDuration: 20.10 ms\tBilled Duration: 140 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB\tRestore Duration: 300.12 ms\tBilled Restore Duration: 120 ms\t`,
    );
    expect(r).toMatchObject({ durationMs: 20.1, billedDurationMs: 140, restoreDurationMs: 300.12, billedRestoreDurationMs: 120, initDurationMs: undefined });
  });

  it('reads a timeout status', () => {
    const r = record(`REPORT RequestId: ${ID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tStatus: timeout`);
    expect(r.status).toBe('timeout');
  });

  it('reads the JSON log format (platform.report)', () => {
    const line = JSON.stringify({
      time: '2024-05-01T12:00:00.000Z',
      type: 'platform.report',
      record: {
        requestId: ID,
        metrics: { durationMs: 12.34, billedDurationMs: 163, memorySizeMB: 128, maxMemoryUsedMB: 70, initDurationMs: 150.12 },
        status: 'success',
      },
    });
    expect(record(line)).toMatchObject({ requestId: ID, durationMs: 12.34, billedDurationMs: 163, memorySizeMb: 128, initDurationMs: 150.12 });
  });
});

describe('parseReportLine on other and broken lines', () => {
  it('skips START, END, XRAY, INIT_START and application lines as other', () => {
    for (const line of [
      `START RequestId: ${ID} Version: $LATEST`,
      `END RequestId: ${ID}`,
      'XRAY TraceId: 1-5e1b4151-43a9f4f2 SegmentId: 07fa1b3e Sampled: true',
      'INIT_START Runtime Version: nodejs:20.v13\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:abc',
      `2024-05-01T12:00:00.123Z\t${ID}\tINFO\tclassified 1 sentence`,
      '{"time":"2024-05-01T12:00:00.000Z","type":"platform.start","record":{"requestId":"x"}}',
    ]) {
      expect(parseReportLine(line, 1).kind, line).toBe('other');
    }
  });

  it('reports blank lines as blank', () => {
    expect(parseReportLine('   \t', 1).kind).toBe('blank');
  });

  it.each([
    ['garbage', 'hello world'],
    ['no RequestId value', 'REPORT RequestId: \tDuration: 1 ms\tMemory Size: 128 MB'],
    ['Duration not a number', `REPORT RequestId: ${ID}\tDuration: abc ms\tBilled Duration: 1 ms\tMemory Size: 128 MB`],
    ['Duration missing', `REPORT RequestId: ${ID}\tBilled Duration: 1 ms\tMemory Size: 128 MB`],
    ['Memory Size missing (truncated line)', `REPORT RequestId: ${ID}\tDuration: 1.5`],
    ['wrong unit', `REPORT RequestId: ${ID}\tDuration: 1.5 s\tMemory Size: 128 MB`],
    ['negative duration', `REPORT RequestId: ${ID}\tDuration: -1.5 ms\tMemory Size: 128 MB`],
    ['bad optional field', `REPORT RequestId: ${ID}\tDuration: 1.5 ms\tMemory Size: 128 MB\tInit Duration: NaN ms`],
    ['JSON report that does not parse', '{"type":"platform.report","record":{'],
    ['JSON report without metrics', '{"type":"platform.report","record":{"requestId":"x"}}'],
    ['binary junk', '\u0000\u0001\u00ff\ufffdREPORT'],
  ])('counts %s as malformed', (_name, line) => {
    const r = parseReportLine(line, 1);
    expect(r.kind).toBe('malformed');
  });
});

describe('parseReportLog', () => {
  it('counts reports, other, blank and malformed lines and keeps a few examples', () => {
    const text = `${[`START RequestId: ${ID} Version: $LATEST`, COLD, `END RequestId: ${ID}`, '', WARM, 'oops', WARM, ...Array(10).fill('junk')].join('\r\n')}\r\n`;
    const log = parseReportLog(text);
    expect(log.records).toHaveLength(3);
    expect(log.records.map((r) => r.line)).toEqual([2, 5, 7]);
    expect(log.otherLines).toBe(2);
    expect(log.malformedLines).toBe(11);
    expect(log.malformedExamples).toHaveLength(5);
    expect(log.malformedExamples[0]).toMatchObject({ line: 6, text: 'oops' });
    expect(log.totalLines).toBe(17);
  });

  it('never throws, whatever the input', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pieces = [
      'REPORT',
      'RequestId:',
      'Duration:',
      'ms',
      'MB',
      '\t',
      ' ',
      '12.5',
      '-3',
      'e99',
      '{',
      '}',
      '"platform.report"',
      'Memory Size:',
      'Init Duration:',
    ];
    for (let i = 0; i < 2000; i++) {
      const line = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => pieces[Math.floor(rand() * pieces.length)]).join('');
      expect(() => parseReportLine(line, i)).not.toThrow();
    }
  });
});

describe('CloudWatch exports', () => {
  it('reads `aws logs filter-log-events` JSON output (escaped tabs), skipping the JSON around it', () => {
    const doc = JSON.stringify(
      {
        events: [
          {
            logStreamName: '2024/05/01/[$LATEST]abc',
            timestamp: 1714564800000,
            message: `START RequestId: ${ID} Version: $LATEST\n`,
            ingestionTime: 1714564800100,
            eventId: '1',
          },
          { logStreamName: '2024/05/01/[$LATEST]abc', timestamp: 1714564800001, message: `${COLD}\n`, ingestionTime: 1714564800101, eventId: '2' },
          {
            logStreamName: '2024/05/01/[$LATEST]abc',
            timestamp: 1714564800002,
            message: `${WARM}\nXRAY TraceId: 1-abc\tSegmentId: 07fa\tSampled: true\n`,
            ingestionTime: 1714564800102,
            eventId: '3',
          },
        ],
        searchedLogStreams: [],
      },
      null,
      4,
    );
    const log = parseReportLog(doc);
    expect(log.records.map((r) => [r.durationMs, r.initDurationMs])).toEqual([
      [12.34, 150.12],
      [2.05, undefined],
    ]);
    expect(log.malformedLines).toBe(0);
  });

  it('reads a JSON-format platform.report inside a "message" string', () => {
    const inner = JSON.stringify({
      time: 't',
      type: 'platform.report',
      record: { requestId: ID, metrics: { durationMs: 3.2, billedDurationMs: 4, memorySizeMB: 256, maxMemoryUsedMB: 60 } },
    });
    expect(parseReportLine(`        "message": ${JSON.stringify(inner)},`, 1)).toMatchObject({
      kind: 'report',
      record: { durationMs: 3.2, memorySizeMb: 256 },
    });
  });

  it('treats an application JSON log with a message as other, and reads `--output text` rows', () => {
    expect(parseReportLine('{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","requestId":"x","message":"hello"}', 1).kind).toBe('other');
    // --output text: EVENTS, event id, ingestion time, log stream, message (with real tabs), timestamp
    const row = `EVENTS\t3612\t1714564800101\t2024/05/01/[$LATEST]abc\t${WARM}\t1714564800001`;
    expect(parseReportLine(row, 1)).toMatchObject({ kind: 'report', record: { durationMs: 2.05, maxMemoryUsedMb: 71 } });
  });
});
