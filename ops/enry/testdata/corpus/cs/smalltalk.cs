Object subclass: #Counter
  instanceVariableNames: 'n'
  classVariableNames: ''
  package: 'Demo'!
