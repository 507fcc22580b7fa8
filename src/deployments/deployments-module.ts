/**
 * Wires runtimes, deployments, API keys, predictions and the `deploy` topic
 * together, so `server.ts` adds one object (and its routers) to the server.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import type { Database } from '../db/connect';
import type { DefinitionService } from '../engine/definitions/definition-service';
import type { InstanceService } from '../engine/instances/instance-service';
import type { ServiceTaskRegistry } from '../engine/service-tasks/handler-registry';
import type { Logger } from '../logger';
import { RuntimeService } from '../runtimes/runtime-service';
import { runtimeRoutes } from '../runtimes/runtime-routes';
import { ApiKeyService } from './api-key-service';
import { registerChangeRequestTopics } from './change-request-process';
import { changeRequestRoutes } from './change-request-routes';
import { ChangeRequestService } from './change-request-service';
import { deployTopic } from './deploy-topic';
import { DeployedModels } from './deployed-models';
import { DeploymentActivation } from './deployment-activation';
import { deploymentRoutes } from './deployment-routes';
import { DeploymentService } from './deployment-service';
import { MonitoringService } from './monitoring-service';
import { monitoringRoutes } from './monitoring-routes';
import { predictRoutes, PREDICT_PATH } from './predict-routes';
import { PredictionLog } from './prediction-log';
import { PredictionService } from './prediction-service';

export interface DeploymentsModule {
  runtimes: RuntimeService;
  /** Deployments: `onDeploymentChanged`, `listActive()` (backtesting), `get`, `history`. */
  deployments: DeploymentService;
  /** Replacing the model, changing importance, deleting: held for approval when a policy matches. */
  changeRequests: ChangeRequestService;
  activation: DeploymentActivation;
  keys: ApiKeyService;
  /** `onPredicted` gives every request's latency (metrics). */
  predictions: PredictionService;
  monitoring: MonitoringService;
  predictionLog: PredictionLog;
  /** Paths for `createApp`'s `selfAuthenticated`. */
  selfAuthenticated: RegExp[];
  routers(registry: OpenAPIRegistry): Router[];
  start(): void;
  stop(): Promise<void>;
}

export function createDeployments(
  db: Database,
  serviceTasks: ServiceTaskRegistry,
  engine: { instances: InstanceService; definitions: DefinitionService },
  options: { maxActiveModels: number | null; logger: Logger; onListenerError?: (err: unknown) => void },
): DeploymentsModule {
  const models = new DeployedModels(db);
  const runtimes = new RuntimeService(db);
  const deployments = new DeploymentService(db, models, { onListenerError: options.onListenerError });
  const changeRequests = new ChangeRequestService(db, deployments, engine);
  const activation = new DeploymentActivation(db, deployments, options.maxActiveModels);
  const keys = new ApiKeyService(db, deployments);
  const predictionLog = new PredictionLog(db, { maxBuffered: 20_000, batchSize: 500, flushIntervalMs: 200 }, options.logger);
  const predictions = new PredictionService(db, models, keys, predictionLog);
  const monitoring = new MonitoringService(db, deployments, predictionLog);
  serviceTasks.register('deploy', deployTopic({ db, deployments, activation }));
  registerChangeRequestTopics(serviceTasks, db, changeRequests);
  return {
    runtimes,
    deployments,
    changeRequests,
    activation,
    keys,
    predictions,
    monitoring,
    predictionLog,
    selfAuthenticated: [PREDICT_PATH],
    routers: (registry) => [
      runtimeRoutes(registry, runtimes),
      predictRoutes(registry, predictions, models),
      deploymentRoutes(registry, deployments, changeRequests, activation, keys),
      changeRequestRoutes(registry, changeRequests),
      monitoringRoutes(registry, monitoring),
    ],
    start: () => predictionLog.start(),
    stop: () => predictionLog.stop(),
  };
}
