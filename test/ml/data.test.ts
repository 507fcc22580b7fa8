import { CREDIT_RISK_COLUMNS, generateCreditRisk, inferSchema, toCsv } from '../../src/ml';

describe('generateCreditRisk', () => {
  it('is deterministic per seed and has the documented columns', () => {
    const rows = generateCreditRisk({ rows: 50, seed: 11 });
    expect(generateCreditRisk({ rows: 50, seed: 11 })).toEqual(rows);
    expect(generateCreditRisk({ rows: 50, seed: 12 })).not.toEqual(rows);
    expect(Object.keys(rows[0])).toEqual([...CREDIT_RISK_COLUMNS]);
    for (const row of rows) {
      expect(['0', '1']).toContain(row.default);
      expect(row.age).toBeGreaterThanOrEqual(21);
      expect(row.credit_score).toBeGreaterThanOrEqual(300);
      expect(row.credit_score).toBeLessThanOrEqual(850);
    }
  });

  it('spreads applied_at over [start, end] in order', () => {
    const start = new Date('2025-06-01T00:00:00Z');
    const end = new Date('2025-06-02T00:00:00Z');
    const times = generateCreditRisk({ rows: 100, seed: 1, start, end }).map((row) => Date.parse(row.applied_at as string));
    expect(times.every((time, i) => time >= start.getTime() && time <= end.getTime() && (i === 0 || time >= times[i - 1]))).toBe(true);
    expect(times[99] - times[0]).toBeGreaterThan(20 * 3600 * 1000);
  });

  it('has a plausible default rate and leaves cells empty at missingRate', () => {
    const rows = generateCreditRisk({ rows: 2000, seed: 2, missingRate: 0.1 });
    const rate = rows.filter((row) => row.default === '1').length / rows.length;
    expect(rate).toBeGreaterThan(0.15);
    expect(rate).toBeLessThan(0.3);
    const missingIncome = rows.filter((row) => row.income === null).length / rows.length;
    expect(missingIncome).toBeGreaterThan(0.07);
    expect(missingIncome).toBeLessThan(0.13);
  });
});

describe('inferSchema', () => {
  it('marks a column numeric when every non-empty value parses as a number', () => {
    const rows = [
      { id: '1', amount: '12.5', city: 'Oslo', code: '007', note: '', label: 'yes' },
      { id: '2', amount: '', city: 'Bergen', code: 'A1', note: null, label: 'no' },
      { id: 3, amount: '-3e2', city: 'Oslo', code: '9', note: '', label: 'no' },
    ];
    expect(inferSchema(rows, 'label')).toEqual([
      { name: 'id', kind: 'numeric' },
      { name: 'amount', kind: 'numeric' },
      { name: 'city', kind: 'categorical', categories: ['Bergen', 'Oslo'] },
      { name: 'code', kind: 'categorical', categories: ['007', '9', 'A1'] },
      { name: 'note', kind: 'categorical', categories: [] },
    ]);
  });
});

describe('toCsv', () => {
  it('quotes fields as RFC 4180 says', () => {
    const csv = toCsv([
      { name: 'plain', note: 'a, b', quote: 'say "hi"', lines: 'one\ntwo', empty: null, number: 1.5 },
      { name: ' padded', note: '', quote: 'x', lines: 'y', empty: '', number: -2 },
    ]);
    expect(csv).toBe('name,note,quote,lines,empty,number\r\nplain,"a, b","say ""hi""","one\ntwo",,1.5\r\n" padded",,x,y,,-2\r\n');
  });

  it('writes the columns it is given, in that order', () => {
    expect(toCsv([{ a: 1, b: 2, c: 3 }], ['c', 'a'])).toBe('c,a\r\n3,1\r\n');
    expect(toCsv([], ['x'])).toBe('x\r\n');
  });
});
