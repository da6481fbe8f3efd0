// The shops the company runs and the carriers that deliver for them.

export interface PlatformSpec {
  id: string;
  name: string;
  kind: 'marketplace' | 'own_site' | 'social' | 'mini_program';
  commissionRate: number;
  /** relative share of orders as a SQL expression of t, the elapsed fraction of the period */
  share: string;
  /** distinct buyers ÷ visitors on a normal day */
  conversion: number;
  /** hours from payment to the promised shipping time */
  promiseHours: number;
  /** orders below this items amount pay the shipping fee */
  freeShippingFrom: number;
  shippingFee: number;
  carriers: ReadonlyArray<readonly [string, number]>;
  /** the sales team looking after this shop */
  team: string;
}

export interface CarrierSpec {
  name: string;
  /** shipping to delivery, hours */
  transit: readonly [number, number];
}

export const CARRIERS: readonly CarrierSpec[] = [
  { name: 'SF Express', transit: [18, 48] },
  { name: 'JD Logistics', transit: [12, 36] },
  { name: 'ZTO Express', transit: [30, 84] },
  { name: 'YTO Express', transit: [30, 90] },
  { name: 'STO Express', transit: [30, 96] },
  { name: 'EMS', transit: [48, 120] },
];

const EXPRESS_MIX = [['ZTO Express', 30], ['YTO Express', 28], ['STO Express', 17], ['SF Express', 17], ['EMS', 8]] as const;

export const PLATFORMS: readonly PlatformSpec[] = [
  {
    id: 'tmall', name: '天猫旗舰店', kind: 'marketplace', commissionRate: 0.05, share: '34', conversion: 0.03,
    promiseHours: 48, freeShippingFrom: 49, shippingFee: 6, carriers: EXPRESS_MIX, team: '天猫运营组',
  },
  {
    id: 'jd', name: '京东旗舰店', kind: 'marketplace', commissionRate: 0.06, share: '24', conversion: 0.035,
    promiseHours: 24, freeShippingFrom: 49, shippingFee: 6, carriers: [['JD Logistics', 88], ['SF Express', 12]], team: '京东运营组',
  },
  {
    // the social shop grows through the period
    id: 'douyin', name: '抖音小店', kind: 'social', commissionRate: 0.08, share: '(12 + 14 * t)', conversion: 0.016,
    promiseHours: 48, freeShippingFrom: 0, shippingFee: 0, carriers: EXPRESS_MIX, team: '抖音直播组',
  },
  {
    id: 'own_site', name: '官方商城', kind: 'own_site', commissionRate: 0.006, share: '10', conversion: 0.022,
    promiseHours: 48, freeShippingFrom: 99, shippingFee: 10, carriers: [['SF Express', 60], ['ZTO Express', 25], ['YTO Express', 15]], team: '官网运营组',
  },
  {
    id: 'wechat_mini', name: '微信小程序商城', kind: 'mini_program', commissionRate: 0.006, share: '12', conversion: 0.04,
    promiseHours: 48, freeShippingFrom: 99, shippingFee: 10, carriers: [['SF Express', 40], ['ZTO Express', 30], ['YTO Express', 30]], team: '小程序运营组',
  },
];

/** A platform's relative order share at elapsed fraction `t` (a SQL expression). */
export function shareSql(platform: PlatformSpec, t: string): string {
  return `(${platform.share.replaceAll(/\bt\b/g, `(${t})`)})`;
}

export function shareTotalSql(t: string): string {
  return `(${PLATFORMS.map((p) => shareSql(p, t)).join(' + ')})`;
}
