import assert from 'node:assert/strict';
import { businessDay, businessDayBounds, isTimeZone } from '../../src/domain/businessDay';

describe('business day', () => {
  it("is Stark Bank's calendar day in São Paulo, not the UTC one", () => {
    assert.equal(businessDay(new Date('2026-11-29T02:59:59Z'), 'America/Sao_Paulo'), '2026-11-28');
    assert.equal(businessDay(new Date('2026-11-29T03:00:00Z'), 'America/Sao_Paulo'), '2026-11-29');
    assert.equal(businessDay(new Date('2026-11-29T02:59:59Z'), 'UTC'), '2026-11-29');
  });

  it('starts and ends at local midnight, including on a daylight-saving change', () => {
    assert.deepEqual(businessDayBounds('2026-11-29', 'America/Sao_Paulo'), {
      start: new Date('2026-11-29T03:00:00Z'),
      end: new Date('2026-11-30T03:00:00Z'),
    });
    // London's clocks go forward on 2026-03-29: that day has 23 hours.
    const { start, end } = businessDayBounds('2026-03-29', 'Europe/London');
    assert.equal(end.getTime() - start.getTime(), 23 * 3_600_000);
  });

  it('knows a time zone from a typo', () => {
    assert.equal(isTimeZone('America/Sao_Paulo'), true);
    assert.equal(isTimeZone('America/Sao_Pablo'), false);
  });
});
