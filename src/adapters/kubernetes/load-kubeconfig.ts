import { KubeConfig } from '@kubernetes/client-node';
import { ClusterError } from '../../core/ports/cluster.js';
import { checkKubeConfigSource, type KubeConfigSource } from './kubeconfig-source.js';

/**
 * Loads credentials: the kubeconfig file when given, else the in-cluster service account.
 * Throws ClusterError('invalid') with a message that says what to set when neither works.
 */
export function loadKubeConfig(cfg: KubeConfigSource): KubeConfig {
  checkKubeConfigSource(cfg);
  const kc = new KubeConfig();
  if (cfg.kubeconfig) {
    try {
      kc.loadFromFile(cfg.kubeconfig);
    } catch (e) {
      const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
      throw new ClusterError(`kubeconfig file ${cfg.kubeconfig} could not be read: ${reason}`, 'invalid');
    }
  } else {
    kc.loadFromCluster();
  }
  if (cfg.context) useContext(kc, cfg.context, cfg.kubeconfig);
  if (!kc.getCurrentCluster()) {
    const file = cfg.kubeconfig ? ` ${cfg.kubeconfig}` : '';
    throw new ClusterError(
      `kubeconfig${file} has no current context with a cluster; set kubernetes.context.`,
      'invalid',
    );
  }
  return kc;
}

function useContext(kc: KubeConfig, context: string, file: string | undefined): void {
  if (!kc.getContextObject(context)) {
    const known = kc.getContexts().map((c) => c.name);
    throw new ClusterError(
      `kubeconfig context "${context}" not found${file ? ` in ${file}` : ''}; known contexts: ${known.join(', ') || '(none)'}.`,
      'invalid',
    );
  }
  kc.setCurrentContext(context);
}
