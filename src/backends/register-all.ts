// The backend registry: one line per backend. Importing this module registers them all.
import { registerBackendRenderer } from './backend-renderer';
import { CalicoEnterpriseRenderer } from './calico-enterprise-renderer';
import { CalicoRenderer } from './calico-renderer';
import { CiliumRenderer } from './cilium-renderer';
import { KubernetesRenderer } from './kubernetes-renderer';

registerBackendRenderer(new CalicoRenderer());
registerBackendRenderer(new CalicoEnterpriseRenderer());
registerBackendRenderer(new CiliumRenderer());
registerBackendRenderer(new KubernetesRenderer());
