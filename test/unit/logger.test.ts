import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

/** What a process prints for one warning with an id and a tax id, under the given LOG_FORMAT. */
function logLine(format?: string): string {
  const script =
    "require('./src/observability/logger').logger.warn({ invoiceId: '42', taxId: '123.456.789-09' }, 'held');";
  return execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...(format ? { LOG_FORMAT: format } : {}) },
    encoding: 'utf8',
  });
}

describe('logger', () => {
  it('writes JSON lines by default, for log pipelines', () => {
    const line = JSON.parse(logLine()) as Record<string, unknown>;
    assert.equal(line.msg, 'held');
    assert.equal(line.level, 40);
    assert.equal(line.invoiceId, '42');
    assert.equal(line.taxId, '[redacted]');
  });

  it('writes readable lines with LOG_FORMAT=pretty, as npm run dev sets, still redacting', () => {
    const text = logLine('pretty');
    assert.match(text, /^\[\d\d:\d\d:\d\d\] WARN: held\n/);
    assert.match(text, /invoiceId: "42"/);
    assert.doesNotMatch(text, /123\.456/);
    assert.throws(() => JSON.parse(text) as unknown);
  });
});
