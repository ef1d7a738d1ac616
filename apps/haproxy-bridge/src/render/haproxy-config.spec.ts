import { Service } from '../fold/services';
import { proxyName, renderHaproxyConfig, serverName } from './haproxy-config';

const OPTIONS = { bindAddress: '127.0.0.1', adminSocket: '/run/bridge/admin.sock', source: 'topic c.events' };

const web: Service = {
  appId: '/prod/web',
  servicePort: 10001,
  portIndex: 0,
  mode: 'http',
  servers: [
    { taskId: 'prod_web.aaa', host: 'node-1', port: 31001 },
    { taskId: 'prod_web.bbb', host: '10.0.0.2', port: 31002 },
  ],
};

describe('renderHaproxyConfig', () => {
  it('renders one frontend and one round-robin backend per service port, a server per task', () => {
    const text = renderHaproxyConfig(
      [web, { ...web, appId: '/db', servicePort: 10002, mode: 'tcp', servers: [] }],
      OPTIONS,
    );
    expect(text).toContain('  stats socket /run/bridge/admin.sock mode 600 level admin\n');
    expect(text).toContain(
      [
        'frontend prod_web_10001',
        '  bind 127.0.0.1:10001',
        '  mode http',
        '  default_backend prod_web_10001',
        '',
        'backend prod_web_10001',
        '  mode http',
        '  balance roundrobin',
        '  http-response set-header X-Cairn-Server %[srv_name]',
        '  server prod_web.aaa node-1:31001',
        '  server prod_web.bbb 10.0.0.2:31002',
      ].join('\n'),
    );
    expect(text).toContain('frontend db_10002\n  bind 127.0.0.1:10002\n  mode tcp\n');
    expect(text.endsWith('  balance roundrobin\n')).toBe(true); // the empty backend has no server
  });

  it('is deterministic: the same services render the same bytes', () => {
    expect(renderHaproxyConfig([web], OPTIONS)).toBe(renderHaproxyConfig([{ ...web }], OPTIONS));
    expect(renderHaproxyConfig([web], OPTIONS)).not.toBe(
      renderHaproxyConfig([{ ...web, servers: web.servers.slice(1) }], OPTIONS),
    );
  });

  it('never writes a host or name that could break out of its line', () => {
    const text = renderHaproxyConfig(
      [{ ...web, appId: '/a b', servers: [{ taskId: 't\n1', host: 'evil\n  stats', port: 1 }] }],
      OPTIONS,
    );
    expect(text).not.toContain('evil');
    expect(proxyName({ appId: '/a b/c', servicePort: 1 })).toBe('a_b_c_1');
    expect(serverName('t\n1')).toBe('t_1');
  });
});
