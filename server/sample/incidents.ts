// The problems planted in the sample so that every risk indicator has something true to find.
// Windows are fixed offsets before the end date, all within its last ~5 months, each with its
// own scope and none overlapping another in time, so one incident never explains another's signal.
import { addDays } from './calendar.ts';

export type IncidentKind = 'complaint_spike' | 'late_shipments' | 'price_violation' | 'stockout' | 'conversion_drop';
export type IncidentIndicator = 'complaint_rate' | 'late_shipment_rate' | 'price_violation_rate' | 'stockout_rate' | 'conversion_rate';

export interface Incident {
  id: string;
  kind: IncidentKind;
  indicator: IncidentIndicator;
  scope: { platform_id?: string; carrier?: string; sku?: string; promotion_id?: string };
  start: string;
  end: string;
  description: string;
}

export interface Window {
  start: string;
  end: string;
}

export interface IncidentPlan {
  lateShipments: Window & { carrier: string; lateShare: number };
  complaintSpike: Window & { platformId: string; factor: number };
  priceViolation: Window & { platformId: string; promotionId: string; uptake: number };
  stockout: Window;
  conversionDrop: Window & { platformId: string; visitorFactor: number };
}

/** Days from the first day of any incident window to the end date: the period must cover it. */
export const INCIDENT_HORIZON_DAYS = 160;

function window(end: string, fromDaysBefore: number, days: number): Window {
  const start = addDays(end, -fromDaysBefore);
  return { start, end: addDays(start, days - 1) };
}

export function planIncidents(end: string): IncidentPlan {
  const flash = window(end, 85, 7);
  return {
    lateShipments: { ...window(end, INCIDENT_HORIZON_DAYS, 30), carrier: 'YTO Express', lateShare: 0.75 },
    complaintSpike: { ...window(end, 115, 14), platformId: 'jd', factor: 6 },
    priceViolation: { ...flash, platformId: 'own_site', promotionId: `P${flash.start.replaceAll('-', '')}-FLASH`, uptake: 0.7 },
    stockout: window(end, 50, 10),
    // still running on the end date, so the newest snapshot has a live alert
    conversionDrop: { ...window(end, 13, 14), platformId: 'douyin', visitorFactor: 2.3 },
  };
}

/** The incidents as incidents.json lists them; the stockout SKU is only known once sales exist. */
export function describeIncidents(plan: IncidentPlan, stockoutSku: string): Incident[] {
  const { lateShipments: late, complaintSpike: spike, priceViolation: price, stockout, conversionDrop: drop } = plan;
  return [
    {
      id: `complaint-spike-${spike.platformId}`, kind: 'complaint_spike', indicator: 'complaint_rate',
      scope: { platform_id: spike.platformId }, start: spike.start, end: spike.end,
      description: `A faulty batch reached ${spike.platformId} customers: complaints received there run at about ${spike.factor}× the usual rate, mostly product_quality.`,
    },
    {
      id: `late-shipments-${late.carrier.toLowerCase().replaceAll(' ', '-')}`, kind: 'late_shipments', indicator: 'late_shipment_rate',
      scope: { carrier: late.carrier }, start: late.start, end: late.end,
      description: `${late.carrier} had a depot backlog: about ${Math.round(late.lateShare * 100)}% of its orders placed in the window shipped after promised_ship_by.`,
    },
    {
      id: `price-violation-${price.promotionId}`, kind: 'price_violation', indicator: 'price_violation_rate',
      scope: { platform_id: price.platformId, promotion_id: price.promotionId }, start: price.start, end: price.end,
      description: `An unapproved flash sale (${price.promotionId}, approved=false) on ${price.platformId} sold its items below floor_price.`,
    },
    {
      id: `stockout-${stockoutSku}`, kind: 'stockout', indicator: 'stockout_rate',
      scope: { sku: stockoutSku }, start: stockout.start, end: stockout.end,
      description: `The best-selling SKU ${stockoutSku} ran out: on_hand stays at or below zero (back-orders) through the window.`,
    },
    {
      id: `conversion-drop-${drop.platformId}`, kind: 'conversion_drop', indicator: 'conversion_rate',
      scope: { platform_id: drop.platformId }, start: drop.start, end: drop.end,
      description: `A paid traffic campaign on ${drop.platformId} brought ${drop.visitorFactor}× the visitors but no extra buyers: conversion falls to under half.`,
    },
  ];
}
