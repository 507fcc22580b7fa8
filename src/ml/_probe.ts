import { RandomForestClassifier } from 'ml-random-forest';
import { Matrix } from 'ml-matrix';
const forest = new RandomForestClassifier({ nEstimators: 2 });
forest.train([[1], [2]], [0, 1]);
console.log(Matrix.ones(1, 1));
