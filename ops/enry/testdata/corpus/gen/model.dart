// GENERATED CODE - DO NOT MODIFY BY HAND
part of 'model.dart';
