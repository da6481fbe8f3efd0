// The promotion calendar: the yearly festivals and monthly member days, two drafts that were never
// approved nor run, and the planted unapproved flash sale.
import { addDays, chineseNewYear } from './calendar.ts';
import type { IncidentPlan } from './incidents.ts';

export interface PromotionSpec {
  id: string;
  name: string;
  kind: 'discount' | 'full_reduction' | 'gift' | 'lottery';
  start: string;
  /** last day, inclusive */
  end: string;
  approved: boolean;
  /** share of the day's orders that use it */
  uptake: number;
  /** when promotions overlap, the highest priority applies to an order */
  priority: number;
}

function festivals(year: number): PromotionSpec[] {
  const cny = chineseNewYear(year);
  const fixed = (code: string, name: string, kind: PromotionSpec['kind'], start: string, end: string, uptake: number, priority: number): PromotionSpec => ({
    id: `P${year}-${code}`, name: `${year} ${name}`, kind, start, end, approved: true, uptake, priority,
  });
  return [
    fixed('CNY', '年货节', 'full_reduction', addDays(cny, -30), addDays(cny, -11), 0.35, 3),
    fixed('0308', '女王节', 'discount', `${year}-03-01`, `${year}-03-08`, 0.4, 3),
    fixed('618', '618年中大促', 'full_reduction', `${year}-06-01`, `${year}-06-20`, 0.55, 4),
    fixed('ANNIV', '品牌周年庆抽奖', 'lottery', `${year}-08-15`, `${year}-08-20`, 0.3, 3),
    fixed('D11', '双11全球狂欢节', 'full_reduction', `${year}-10-20`, `${year}-11-13`, 0.6, 4),
    fixed('D12', '双12年终盛典', 'discount', `${year}-12-10`, `${year}-12-12`, 0.45, 3),
  ];
}

function memberDays(year: number): PromotionSpec[] {
  return Array.from({ length: 12 }, (_, m) => {
    const mm = String(m + 1).padStart(2, '0');
    const day = `${year}-${mm}-28`;
    return { id: `P${year}-${mm}-MD`, name: `${year}年${m + 1}月会员日`, kind: 'gift', start: day, end: day, approved: true, uptake: 0.25, priority: 1 };
  });
}

export function promotionCalendar(start: string, end: string, plan: IncidentPlan): PromotionSpec[] {
  const first = Number(start.slice(0, 4));
  const last = Number(end.slice(0, 4));
  const all: PromotionSpec[] = [];
  for (let year = first; year <= last; year++) all.push(...festivals(year), ...memberDays(year));
  const inPeriod = all.filter((p) => p.end >= start && p.start <= end);
  const { priceViolation: flash } = plan;
  // drafts that compliance turned down: listed, never used by an order
  const drafts: PromotionSpec[] = [
    { id: `P${last}-DRAFT-1`, name: '清仓买一送一（草案）', kind: 'gift', start: addDays(end, -200), end: addDays(end, -190), approved: false, uptake: 0, priority: 0 },
    { id: `P${last}-DRAFT-2`, name: '满999减500（草案）', kind: 'full_reduction', start: addDays(end, -40), end: addDays(end, -35), approved: false, uptake: 0, priority: 0 },
  ];
  const planted: PromotionSpec = {
    id: flash.promotionId, name: '官网限时秒杀', kind: 'discount', start: flash.start, end: flash.end, approved: false, uptake: flash.uptake, priority: 0,
  };
  return [...inPeriod, ...drafts, planted];
}
