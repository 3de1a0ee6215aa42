function onOpen() {
  SpreadsheetApp.getUi().createMenu('X').addToUi();
}
