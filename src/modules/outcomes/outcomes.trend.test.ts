import { describe, expect, it } from 'vitest';
import { changeOf, trendOf } from './outcomes.trend.ts';

describe('the curve', () => {
  it('fits a line through the baseline and carries it forward', () => {
    const trend = trendOf([10, 12, 14, 16], 'lower', { forecastPeriods: 2 })!;
    expect(trend.slope).toBeCloseTo(2);
    expect(trend.fitted).toEqual([10, 12, 14, 16]);
    expect(trend.forecast).toEqual([18, 20]);
  });

  it('skips hidden figures and needs three known ones', () => {
    expect(trendOf([10, null, 14], 'lower')).toBeNull();
    expect(trendOf([10, null, 14, 16], 'lower')!.forecast[0]).toBeCloseTo(18, 0);
  });

  it('fits only the baseline periods when asked', () => {
    expect(trendOf([1, 2, 3, 10, 20], 'higher', { baselinePeriods: 3 })!.forecast).toEqual([6, 7]);
  });

  it('says which way the latest figure moved and whether that is the good way', () => {
    expect(changeOf([5, 4], 'lower')).toEqual({ direction: 'down', improving: true });
    expect(changeOf([5, 6], 'lower')).toEqual({ direction: 'up', improving: false });
    expect(changeOf([5, 6], 'higher')).toEqual({ direction: 'up', improving: true });
    expect(changeOf([5, 6], 'neither')).toEqual({ direction: 'up', improving: null });
    expect(changeOf([5, 5], 'higher')).toEqual({ direction: 'same', improving: null });
    expect(changeOf([null, 5], 'higher')).toEqual({ direction: 'not known', improving: null });
  });
});
