/**
 * A CSV file as the console sends it: its bytes in base64, so that the server detects and decodes its
 * encoding (a file read with `File.text()` is decoded as UTF-8 in the browser, and a Windows-1252 list from
 * Excel loses its accented letters before anyone can tell).
 */
export async function readCsvUpload(file: File): Promise<{ fileName: string; data: string }> {
  const url = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
  return { fileName: file.name, data: url.slice(url.indexOf(',') + 1) };
}
