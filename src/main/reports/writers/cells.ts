/** Cell values as text (CSV) and as JSON values (JSON lines), by column type. */
import type { Cell, Column } from '../types';

export function cellText(column: Column, value: Cell): string {
  if (value === null || value === '') return '';
  switch (column.type) {
    case 'date':
      return typeof value === 'number' ? new Date(value).toISOString() : String(value);
    case 'percent':
    case 'number':
      return typeof value === 'number' ? String(Number(value.toFixed(6))) : String(value);
    case 'int':
    case 'text':
    case 'bool':
      return String(value);
  }
}

export function cellJson(column: Column, value: Cell): Cell {
  if (value === null) return null;
  switch (column.type) {
    case 'date':
      return typeof value === 'number' ? new Date(value).toISOString() : value;
    case 'percent':
    case 'number':
      return typeof value === 'number' ? Number(value.toFixed(6)) : value;
    case 'int':
    case 'text':
    case 'bool':
      return value;
  }
}
