import assert from 'node:assert/strict';
import { defineSearchAttributeKey } from '@temporalio/common';
import { productDevServerArgs, searchAttributeArgs } from '../../tools/devServerArgs';

describe('dev server args', () => {
  it('spells search attribute types the way `start-dev --search-attribute` expects', () => {
    const keys = [
      defineSearchAttributeKey('A', 'KEYWORD'),
      defineSearchAttributeKey('B', 'INT'),
      defineSearchAttributeKey('C', 'KEYWORD_LIST'),
      defineSearchAttributeKey('D', 'DATETIME'),
    ];
    assert.deepEqual(searchAttributeArgs(keys), [
      ...['--search-attribute', 'A=Keyword', '--search-attribute', 'B=Int'],
      ...['--search-attribute', 'C=KeywordList', '--search-attribute', 'D=Datetime'],
    ]);
  });

  it('registers every product search attribute', () => {
    const args = productDevServerArgs();
    for (const sa of ['InvoiceId=Keyword', 'PayoutStatus=Keyword', 'PayoutAmount=Int', 'TransferId=Keyword']) {
      assert.ok(args.includes(sa), sa);
    }
  });
});
