import { describe, expect, it } from 'vitest';
import { pickPrices, priceFilter, type RetailPriceItem } from './prices.js';

const item = (meterName: string, retailPrice: number, over: Partial<RetailPriceItem> = {}): RetailPriceItem => ({
  armSkuName: 'Standard_NC4as_T4_v3',
  armRegionName: 'eastus',
  meterName,
  productName: 'NCasT4_v3 Series',
  retailPrice,
  unitOfMeasure: '1 Hour',
  type: 'Consumption',
  ...over,
});

describe('Retail Prices', () => {
  it('tells Spot from on-demand and ignores Windows, Low Priority and other SKUs', () => {
    const items = [
      item('NC4as T4 v3', 0.526),
      item('NC4as T4 v3 Spot', 0.0789),
      item('NC4as T4 v3 Low Priority', 0.1052),
      item('NC4as T4 v3', 0.71, { productName: 'NCasT4_v3 Series Windows' }),
      item('NC4as T4 v3 Spot', 0.12, { productName: 'NCasT4_v3 Series Windows' }),
      item('NC8as T4 v3', 0.752, { armSkuName: 'Standard_NC8as_T4_v3' }),
      item('NC4as T4 v3', 0.3, { type: 'Reservation' }),
    ];
    expect(pickPrices(items, 'Standard_NC4as_T4_v3')).toEqual({ spot: 0.0789, regular: 0.526 });
  });
  it('unknown when absent', () => {
    expect(pickPrices([], 'Standard_NC4as_T4_v3')).toEqual({ spot: null, regular: null });
  });
  it('filter is the case-sensitive OData the API wants', () => {
    expect(priceFilter('eastus', 'Standard_NC4as_T4_v3')).toBe(
      "serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and armSkuName eq 'Standard_NC4as_T4_v3'",
    );
  });
});
