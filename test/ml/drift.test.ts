import { columnOf } from '../../src/ml/schema/cell-values';
import { evaluateModel, generateCreditRisk, loadModel, populationStabilityIndex, trainModel } from '../../src/ml';

const reference = generateCreditRisk({ rows: 4000, seed: 1 });
const sameDistribution = generateCreditRisk({ rows: 4000, seed: 2 });
const shifted = generateCreditRisk({ rows: 4000, seed: 3, drift: 1 });

describe('drift on the generated credit-risk data', () => {
  it('finds a major income shift at drift 1 and none for the same distribution', () => {
    const shiftedPsi = populationStabilityIndex(columnOf(reference, 'income'), columnOf(shifted, 'income'));
    const stablePsi = populationStabilityIndex(columnOf(reference, 'income'), columnOf(sameDistribution, 'income'));
    expect(shiftedPsi).toBeGreaterThan(0.25);
    expect(stablePsi).toBeLessThan(0.1);
    console.log(`income PSI: drift 1 ${shiftedPsi.toFixed(3)}, same distribution ${stablePsi.toFixed(3)}`);
  });

  it('shifts debt and the default rate too', () => {
    expect(populationStabilityIndex(columnOf(reference, 'debt_ratio'), columnOf(shifted, 'debt_ratio'))).toBeGreaterThan(0.25);
    const defaultRate = (rows: typeof reference) => rows.filter((row) => row.default === '1').length / rows.length;
    expect(defaultRate(shifted)).toBeGreaterThan(defaultRate(reference) + 0.15);
  });

  it('reports PSI per feature in the test result', () => {
    const { artifact } = trainModel(reference.slice(0, 1000), {
      algorithm: 'decision-tree',
      type: 'classification',
      features: ['income', 'debt_ratio', 'employment', 'region'],
      label: 'default',
    });
    const predictor = loadModel(artifact);
    const drifted = evaluateModel(predictor, shifted.slice(0, 1000), { referenceRows: reference.slice(0, 1000) }).drift;
    const stable = evaluateModel(predictor, sameDistribution.slice(0, 1000), { referenceRows: reference.slice(0, 1000) }).drift;
    expect(drifted?.features.map((entry) => entry.feature)).toEqual(['income', 'debt_ratio', 'employment', 'region']);
    expect(drifted?.maxPsi).toBe(Math.max(...(drifted?.features.map((entry) => entry.psi) ?? [])));
    expect(drifted?.maxPsi).toBeGreaterThan(0.25);
    expect(stable?.maxPsi).toBeLessThan(0.1);
  });
});
