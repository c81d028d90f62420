import { loadPackageDefinition, type GrpcObject, type ServiceDefinition } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { descriptors } from './generated/descriptors';

/** The services this SDK serves, from the descriptors generated at build (scripts/descriptors.mjs). */
export interface Services {
  readonly plugin: ServiceDefinition;
  readonly health: ServiceDefinition;
}

export function loadServices(): Services {
  const definition = fromJSON(descriptors as never, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const root = loadPackageDefinition(definition);
  const plugin = lookup(root, 'supervisor.plugin.v1.PluginService');
  const health = lookup(root, 'grpc.health.v1.Health');
  return { plugin, health };
}

function lookup(root: GrpcObject, qualifiedName: string): ServiceDefinition {
  let node: unknown = root;
  for (const part of qualifiedName.split('.')) {
    node = (node as Record<string, unknown>)[part];
  }
  const service = (node as { service?: ServiceDefinition } | undefined)?.service;
  if (!service) {
    throw new Error(`the generated descriptors lack ${qualifiedName}: rebuild the SDK (npm run build)`);
  }
  return service;
}
