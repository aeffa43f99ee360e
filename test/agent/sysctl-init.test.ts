import { FakeKernel } from './fake-kernel';
import { applySysctls } from '../../src/agent/shared/sysctl-init';

describe('the images\' sysctls mode (init containers)', () => {
  test('sets each net.ipv4 key=value in order', async () => {
    const k = new FakeKernel();
    await applySysctls(k, ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0']);
    expect(k.log).toEqual(['sysctl net.ipv4.ip_forward=1', 'sysctl net.ipv4.conf.all.rp_filter=0']);
  });

  test('refuses anything outside net.ipv4 before writing any of the list (the node agent\'s are the host\'s)', async () => {
    const k = new FakeKernel();
    await expect(applySysctls(k, ['net.ipv4.ip_forward=1', 'kernel.panic=1'])).rejects.toThrow(/sysctl "kernel.panic=1" is not net.ipv4.<key>=<number>/);
    expect(k.log).toEqual([]);
  });
});
