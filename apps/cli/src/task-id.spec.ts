import { appIdOfCairnTask } from './task-id';

describe('appIdOfCairnTask', () => {
  const uuid = '5f0c2a9e-1d4b-4c8e-9a7f-0b1c2d3e4f50';
  const cases = [
    { name: 'a top-level app', id: `db.${uuid}`, want: '/db' },
    { name: 'a nested app: _ stands for /', id: `prod_web.${uuid}`, want: '/prod/web' },
    { name: 'an app id with dots and dashes', id: `prod_my.svc-1.${uuid}`, want: '/prod/my.svc-1' },
    { name: "Marathon's instance-style id", id: `prod_web.instance-${uuid}._app.1`, want: undefined },
    { name: 'no uuid after the dot', id: 'prod_web.1234', want: undefined },
    { name: 'no app before the uuid', id: `.${uuid}`, want: undefined },
    { name: 'an empty segment', id: `prod__web.${uuid}`, want: undefined },
  ];
  it.each(cases)('$name', ({ id, want }) => {
    expect(appIdOfCairnTask(id)).toBe(want);
  });
});
