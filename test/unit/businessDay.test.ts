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

  it('starts a day whose midnight a clock change skips at the change, leaving the hour before to the day before', () => {
    const bounds = (day: string, timeZone: string) => {
      const { start, end } = businessDayBounds(day, timeZone);
      return [start.toISOString(), end.toISOString()];
    };
    // São Paulo's clocks went from 00:00 to 01:00 (UTC-3 to UTC-2) on 2018-11-04: 23:00-24:00 was still the 3rd.
    assert.deepEqual(bounds('2018-11-03', 'America/Sao_Paulo'), [
      '2018-11-03T03:00:00.000Z',
      '2018-11-04T03:00:00.000Z',
    ]);
    assert.deepEqual(bounds('2018-11-04', 'America/Sao_Paulo'), [
      '2018-11-04T03:00:00.000Z',
      '2018-11-05T02:00:00.000Z',
    ]);
    // East of UTC: Beirut's went from 00:00 to 01:00 (UTC+2 to UTC+3) on 2024-03-31.
    assert.deepEqual(bounds('2024-03-31', 'Asia/Beirut'), ['2024-03-30T22:00:00.000Z', '2024-03-31T21:00:00.000Z']);
    // São Paulo's went back from 00:00 to 23:00 on 2018-02-18, and Havana's from 01:00 to 00:00 on 2024-11-03: a day
    // of 25 hours, starting at its first midnight.
    assert.deepEqual(bounds('2018-02-17', 'America/Sao_Paulo'), [
      '2018-02-17T02:00:00.000Z',
      '2018-02-18T03:00:00.000Z',
    ]);
    assert.deepEqual(bounds('2024-11-03', 'America/Havana'), ['2024-11-03T04:00:00.000Z', '2024-11-04T05:00:00.000Z']);
    for (const [day, timeZone] of [
      ['2018-11-04', 'America/Sao_Paulo'],
      ['2024-03-31', 'Asia/Beirut'],
      ['2024-11-03', 'America/Havana'],
      ['2026-03-29', 'Europe/London'],
    ] as const) {
      const { start } = businessDayBounds(day, timeZone);
      assert.equal(businessDay(start, timeZone), day, `${day} ${timeZone} starts on its day`);
      assert.notEqual(businessDay(new Date(start.getTime() - 1), timeZone), day, `${day} ${timeZone} starts first`);
    }
  });

  it('knows a time zone from a typo', () => {
    assert.equal(isTimeZone('America/Sao_Paulo'), true);
    assert.equal(isTimeZone('America/Sao_Pablo'), false);
  });
});
