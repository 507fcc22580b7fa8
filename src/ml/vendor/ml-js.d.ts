/**
 * Type declarations for the ml.js packages that ship none (ml-cart,
 * ml-logistic-regression), limited to what Stagegate uses. ml-random-forest and
 * ml-matrix ship their own.
 */
declare module 'ml-cart' {
  import type { Matrix } from 'ml-matrix';

  /** A node of a trained CART tree (ml-cart's TreeNode). */
  export interface CartTreeNode {
    /** Classifier: the leaf's class distribution as a 1×k row vector (k = highest class index in the leaf + 1); regression: the leaf mean. */
    classify(row: ArrayLike<number>): Matrix | number;
  }

  export interface CartOptions {
    gainFunction?: 'gini' | 'regression';
    splitFunction?: 'mean';
    minNumSamples?: number;
    maxDepth?: number;
    gainThreshold?: number;
  }

  export class DecisionTreeClassifier {
    constructor(options?: CartOptions);
    root: CartTreeNode;
    train(trainingSet: number[][] | Matrix, labels: number[]): void;
    predict(toPredict: number[][] | Matrix): number[];
    toJSON(): Record<string, unknown>;
    static load(model: unknown): DecisionTreeClassifier;
  }

  export class DecisionTreeRegression {
    constructor(options?: CartOptions);
    root: CartTreeNode;
    train(trainingSet: number[][] | Matrix, values: number[]): void;
    predict(toPredict: number[][] | Matrix): number[];
    toJSON(): Record<string, unknown>;
    static load(model: unknown): DecisionTreeRegression;
  }
}

declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';

  /** One one-vs-all classifier; `testScores` is the probability of NOT being its class (ml.js labels its own class 0). */
  interface LogisticRegressionTwoClasses {
    testScores(features: Matrix): number[];
  }

  class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    numberClasses: number;
    classifiers: LogisticRegressionTwoClasses[];
    train(features: Matrix, classIndexes: Matrix): void;
    predict(features: Matrix): number[];
    toJSON(): Record<string, unknown>;
    static load(model: unknown): LogisticRegression;
  }

  export = LogisticRegression;
}
