import type { LocalModelHost } from '../core/backend';
import { LocalModel } from '../core/model/local/localModel';

/** The CLI (`ask` and `mcp`) loads a local model in its own process and unloads it when the run is over. */
export const inProcessModels: LocalModelHost = {
  async open(config) {
    const runtime = await LocalModel.load(config.path, { contextSize: config.contextSize, threads: config.threads });
    return { runtime, release: () => runtime.dispose() };
  },
};
